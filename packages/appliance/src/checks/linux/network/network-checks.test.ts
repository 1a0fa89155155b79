import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../ssh/fixture-cases.testkit';
import { coreDumps } from './core-dumps';
import { defaultDenyInput } from './default-deny-input';
import { LINUX_NETWORK_CHECKS } from './index';
import { ipForward } from './ip-forward';

describeFixtures(LINUX_NETWORK_CHECKS);

const firewall = (records: string[], ipv6 = 'enabled') => ({
  stdout: `ipv6=${ipv6}\nnft=absent\niptables=present\niptables_exit=0\nip6tables=present\nip6tables_exit=0\nufw_status=absent\ninput_chains=${records.length}\n### input chains\n${records.join('\n')}\n### end\n`,
  exitCode: 0,
});

describe('linux.firewall.default-deny-input on iptables-only hosts (hand-written)', () => {
  it('passes a DROP policy on both IPv4 and IPv6', () => {
    const result = defaultDenyInput.evaluate(
      firewall([
        'iptables|ip|filter|INPUT|DROP|3|-A INPUT -p tcp --dport 22 -j ACCEPT',
        'ip6tables|ip6|filter|INPUT|DROP|0|',
      ]),
    );
    expect(result.status).toBe('pass');
  });

  it('accepts a final catch-all REJECT (firewalld style) but fails an open IPv6 side', () => {
    const result = defaultDenyInput.evaluate(
      firewall([
        'iptables|ip|filter|INPUT|ACCEPT|5|-A INPUT -j REJECT --reject-with icmp-host-prohibited',
        'ip6tables|ip6|filter|INPUT|ACCEPT|0|',
      ]),
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('ipv6');
  });

  it('ignores IPv6 when it is disabled', () => {
    const result = defaultDenyInput.evaluate(firewall(['iptables|ip|filter|INPUT|DROP|0|'], 'disabled'));
    expect(result.status).toBe('pass');
  });
});

describe('kernel parameter checks', () => {
  it('treat missing IPv6 keys as not applicable but missing IPv4 keys as unknowable', () => {
    const ok = ipForward.evaluate({
      stdout: 'net.ipv4.ip_forward=0\nnet.ipv6.conf.all.forwarding=absent\n### end\n',
      exitCode: 0,
    });
    expect(ok.status).toBe('pass');
    const bad = ipForward.evaluate({
      stdout: 'net.ipv4.ip_forward=absent\nnet.ipv6.conf.all.forwarding=0\n### end\n',
      exitCode: 0,
    });
    expect(bad.status).toBe('error');
  });

  it('core dumps: a user exempted from the hard limit fails; Storage=none in systemd-coredump passes', () => {
    const base = 'fs.suid_dumpable=0\ncollector_hard_core_limit=0\n';
    const exempt = coreDumps.evaluate({
      stdout: `${base}systemd_coredump=absent\n### limits\n/etc/security/limits.conf: * hard core 0\n/etc/security/limits.d/x.conf: alice hard core unlimited\n### coredump.conf\n### end\n`,
      exitCode: 0,
    });
    expect(exempt.status).toBe('fail');
    const coredump = coreDumps.evaluate({
      stdout: `${base}systemd_coredump=installed\n### limits\n### coredump.conf\n/etc/systemd/coredump.conf: Storage=none\n### end\n`,
      exitCode: 0,
    });
    expect(coredump.status).toBe('pass');
  });
});
