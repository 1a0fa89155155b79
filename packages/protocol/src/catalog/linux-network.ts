import type { CheckDefinition } from './schema';

/** Host firewall and kernel parameters (runtime values from sysctl, not only the files). */
export const LINUX_NETWORK_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.firewall.default-deny-input',
    platform: 'linux',
    title: 'Host firewall drops inbound traffic by default',
    description:
      'Requires an active nftables, iptables or ufw ruleset whose input chain has a drop policy (or ends in a catch-all drop or reject), so only explicitly allowed ports are reachable. Without a default deny every listening service is exposed to the whole network.',
    severity: 'critical',
    hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
    mappings: {
      soc2: ['CC6.6'],
      nist80053: ['SC-7', 'SC-7(5)'],
      cis: ['3.5.1.7', '3.5.2.8', '3.5.3.2.1'],
    },
    defaultIntervalSeconds: 300,
    remediation:
      'Load a ruleset whose input chain has "policy drop" and accepts loopback, established and related traffic and the ports this host must serve (at least SSH from the appliance), and make it persistent (nftables.service or ufw).',
    healable: true,
  },
  {
    id: 'linux.sysctl.ip-forward',
    platform: 'linux',
    title: 'IP forwarding is disabled',
    description:
      'Requires net.ipv4.ip_forward = 0 and net.ipv6.conf.all.forwarding = 0. A server that forwards packets can be used to route around network segmentation into the systems that hold ePHI.',
    severity: 'medium',
    hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['CM-7', 'SC-7'], cis: ['3.2.2'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Unless the host is a documented router or container host (record an exception), set both keys to 0 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: false,
  },
  {
    id: 'linux.sysctl.accept-redirects',
    platform: 'linux',
    title: 'ICMP redirects are not accepted',
    description:
      'Requires net.ipv4.conf.all/default.accept_redirects = 0, net.ipv4.conf.all/default.secure_redirects = 0 and net.ipv6.conf.all/default.accept_redirects = 0. Accepted redirects let anyone on the segment rewrite the host’s routes and intercept its traffic.',
    severity: 'medium',
    hipaa: ['164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['CM-6', 'SC-7'], cis: ['3.3.2', '3.3.3'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set the keys to 0 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: true,
  },
  {
    id: 'linux.sysctl.send-redirects',
    platform: 'linux',
    title: 'ICMP redirects are not sent',
    description:
      'Requires net.ipv4.conf.all.send_redirects = 0 and net.ipv4.conf.default.send_redirects = 0. Only routers should send redirects; a host that does can be abused to misdirect other machines’ traffic.',
    severity: 'low',
    hipaa: ['164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['CM-6', 'SC-7'], cis: ['3.2.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set both keys to 0 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: true,
  },
  {
    id: 'linux.sysctl.accept-source-route',
    platform: 'linux',
    title: 'Source-routed packets are not accepted',
    description:
      'Requires net.ipv4.conf.all/default.accept_source_route = 0 and net.ipv6.conf.all/default.accept_source_route = 0. Source routing lets the sender choose the path a packet takes, which can bypass network filtering.',
    severity: 'medium',
    hipaa: ['164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['CM-6', 'SC-7'], cis: ['3.3.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set the keys to 0 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: true,
  },
  {
    id: 'linux.sysctl.rp-filter',
    platform: 'linux',
    title: 'Reverse path filtering is enabled',
    description:
      'Requires net.ipv4.conf.all.rp_filter = 1 and net.ipv4.conf.default.rp_filter = 1. Strict reverse path filtering drops packets whose source address would not be routed back through the receiving interface, which defeats address spoofing.',
    severity: 'low',
    hipaa: ['164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['CM-6', 'SC-7'], cis: ['3.3.7'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Unless the host is multi-homed with asymmetric routes (record an exception), set both keys to 1 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: false,
  },
  {
    id: 'linux.sysctl.tcp-syncookies',
    platform: 'linux',
    title: 'TCP SYN cookies are enabled',
    description:
      'Requires net.ipv4.tcp_syncookies = 1, which keeps the host answering legitimate connections while it is flooded with half-open ones, so the services that handle ePHI stay available.',
    severity: 'medium',
    hipaa: ['164.312(e)(1)'],
    mappings: { soc2: ['CC6.6'], nist80053: ['SC-5'], cis: ['3.3.8'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set net.ipv4.tcp_syncookies = 1 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: true,
  },
  {
    id: 'linux.kernel.aslr',
    platform: 'linux',
    title: 'Address space layout randomization is fully enabled',
    description:
      'Requires kernel.randomize_va_space = 2. Randomising where code, stack, heap and libraries are loaded makes memory-corruption exploits, a common way malicious software gains control, far less reliable.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC6.8'], nist80053: ['SI-16'], cis: ['1.5.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set kernel.randomize_va_space = 2 in /etc/sysctl.d/60-osiris.conf and apply with "sysctl --system".',
    healable: true,
  },
  {
    id: 'linux.kernel.core-dumps',
    platform: 'linux',
    title: 'Core dumps are restricted',
    description:
      'Requires fs.suid_dumpable = 0 and a hard core-file size limit of 0 for all users (limits.conf, or Storage=none in systemd-coredump). A core dump copies process memory, which can hold ePHI and credentials, to disk where it outlives the process.',
    severity: 'low',
    hipaa: ['164.312(a)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['CM-6'], cis: ['1.5.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Add "* hard core 0" to /etc/security/limits.d/60-osiris.conf, set fs.suid_dumpable = 0 in /etc/sysctl.d/60-osiris.conf and, where systemd-coredump is installed, Storage=none and ProcessSizeMax=0 in coredump.conf.',
    healable: true,
  },
];
