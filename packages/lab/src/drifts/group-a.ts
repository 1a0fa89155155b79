/**
 * Drift recipes for the ssh, network, services and logging checks (group A) on lab hosts.
 *
 * Lab hosts have no systemd, share this machine's binaries and kernel, and keep their own /etc,
 * /var, /home, /root, network namespace (so net.* sysctls are theirs) and sshd. Global kernel
 * parameters (kernel.*, fs.*) and the clock are the machine's: changing them would change the
 * machine, so those checks get no drift. Packages cannot be installed inside a host either.
 *
 * sshd: the lab's sshd_config has no Include, and sshd uses the first value it reads, so recipes
 * delete a keyword's lines and insert the new value at the top. Every change is validated with
 * `sshd -t` and rolled back if invalid before sshd is reloaded (SIGHUP re-executes it with the new
 * file), so root's key login — the appliance's way in — never breaks.
 */
import type { LabDrift } from './types';

const SSHD_CONFIG = '/etc/ssh/sshd_config';

/** Sets sshd keywords (first value wins), validates, reloads; restores the old file if invalid. */
function sshdSet(settings: Record<string, string>, trailer = ''): string {
  const edits = Object.entries(settings)
    .map(
      ([key, value]) =>
        `sed -i '/^[[:space:]]*${key}[[:space:]]/Id' ${SSHD_CONFIG}\nsed -i '1i ${key} ${value}' ${SSHD_CONFIG}`,
    )
    .join('\n');
  const append = trailer ? `printf '%s\\n' '${trailer.split('\n').join("' '")}' >> ${SSHD_CONFIG}\n` : '';
  return `set -e
cp ${SSHD_CONFIG} ${SSHD_CONFIG}.osl-bak
${edits}
${append}if ! /usr/sbin/sshd -t; then mv ${SSHD_CONFIG}.osl-bak ${SSHD_CONFIG}; echo "invalid sshd config, restored" >&2; exit 1; fi
rm -f ${SSHD_CONFIG}.osl-bak
# sshd rewrites its pid file when it re-executes after a HUP: a reload right after another one
# may find none for a moment, so wait for it (bounded) before signalling.
i=0
while [ ! -s /run/sshd.pid ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -HUP "$(cat /run/sshd.pid)"
`;
}

/** Writes runtime values into the host's own network namespace (net.* only). */
function sysctlSet(values: Record<string, string>): string {
  return `set -e\n${Object.entries(values)
    .map(([key, value]) => `echo ${value} > /proc/sys/${key.replace(/\./g, '/')}`)
    .join('\n')}\n`;
}

/** A real listener, detached so `exec` returns; reset() kills every process of the host. */
function listen(proto: 'tcp' | 'udp', port: number): string {
  const type = proto === 'tcp' ? 'SOCK_STREAM' : 'SOCK_DGRAM';
  const listenCall = proto === 'tcp' ? 's.listen(5); ' : '';
  return `setsid python3 -c 'import socket,time; s=socket.socket(socket.AF_INET, socket.${type}); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", ${port})); ${listenCall}time.sleep(3600)' </dev/null >/dev/null 2>&1 &
for i in 1 2 3 4 5 6 7 8 9 10; do grep -qi ':${port.toString(16).toUpperCase().padStart(4, '0')} ' /proc/net/${proto} && break; sleep 0.2; done
`;
}

/** Firewall rulesets; the host's reset reloads its own /etc/nftables.conf. */
const NFT_DEFAULT_DENY = `set -e
nft -f - <<'OSL_NFT'
flush ruleset
table inet filter {
  chain input { type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
    tcp dport 22 accept
  }
  chain forward { type filter hook forward priority filter; policy drop; }
  chain output { type filter hook output priority filter; policy accept; }
}
OSL_NFT
`;

const NFT_ACCEPT_ALL = `set -e
nft flush ruleset
nft add table inet filter
nft add chain inet filter input '{ type filter hook input priority filter; policy accept; }'
`;

export const DRIFTS_GROUP_A: readonly LabDrift[] = [
  // PermitRootLogin no globally, with root keys still allowed from the appliance's address only:
  // how a site keeps one automation login while people use their own accounts.
  {
    checkId: 'linux.ssh.permit-root-login',
    harden: sshdSet({ PermitRootLogin: 'no' }, 'Match Address 10.231.0.1\n  PermitRootLogin prohibit-password'),
    drift: sshdSet({ PermitRootLogin: 'yes' }),
    baseline: 'pass',
  },
  { checkId: 'linux.ssh.password-authentication', drift: sshdSet({ PasswordAuthentication: 'yes' }), baseline: 'pass' },
  { checkId: 'linux.ssh.permit-empty-passwords', drift: sshdSet({ PermitEmptyPasswords: 'yes' }), baseline: 'pass' },
  // aes256-ctr and chacha20 stay in every list so the appliance's client can still connect.
  {
    checkId: 'linux.ssh.strong-ciphers',
    drift: sshdSet({ Ciphers: 'aes128-cbc,3des-cbc,aes256-ctr,chacha20-poly1305@openssh.com' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.ssh.strong-macs',
    harden: sshdSet({
      MACs: 'hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256',
    }),
    drift: sshdSet({ MACs: 'hmac-sha1,hmac-md5,hmac-sha2-256-etm@openssh.com,hmac-sha2-256' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.ssh.strong-kex',
    drift: sshdSet({
      KexAlgorithms: 'diffie-hellman-group14-sha1,diffie-hellman-group1-sha1,curve25519-sha256,ecdh-sha2-nistp256',
    }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.ssh.max-auth-tries',
    harden: sshdSet({ MaxAuthTries: '3' }),
    drift: sshdSet({ MaxAuthTries: '6' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.ssh.idle-timeout',
    harden: sshdSet({ ClientAliveInterval: '300', ClientAliveCountMax: '2' }),
    drift: sshdSet({ ClientAliveInterval: '0' }),
    baseline: 'pass',
  },
  { checkId: 'linux.ssh.x11-forwarding', drift: sshdSet({ X11Forwarding: 'yes' }), baseline: 'pass' },

  // The lab's own ruleset accepts everything; harden loads a default-deny one that keeps SSH open.
  { checkId: 'linux.firewall.default-deny-input', harden: NFT_DEFAULT_DENY, drift: NFT_ACCEPT_ALL, baseline: 'pass' },
  {
    checkId: 'linux.sysctl.ip-forward',
    harden: sysctlSet({ 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' }),
    drift: sysctlSet({ 'net.ipv4.ip_forward': '1' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.sysctl.accept-redirects',
    harden: sysctlSet({
      'net.ipv4.conf.all.accept_redirects': '0',
      'net.ipv4.conf.default.accept_redirects': '0',
      'net.ipv4.conf.all.secure_redirects': '0',
      'net.ipv4.conf.default.secure_redirects': '0',
      'net.ipv6.conf.all.accept_redirects': '0',
      'net.ipv6.conf.default.accept_redirects': '0',
    }),
    drift: sysctlSet({ 'net.ipv4.conf.all.accept_redirects': '1' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.sysctl.send-redirects',
    harden: sysctlSet({ 'net.ipv4.conf.all.send_redirects': '0', 'net.ipv4.conf.default.send_redirects': '0' }),
    drift: sysctlSet({ 'net.ipv4.conf.all.send_redirects': '1' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.sysctl.accept-source-route',
    harden: sysctlSet({
      'net.ipv4.conf.all.accept_source_route': '0',
      'net.ipv4.conf.default.accept_source_route': '0',
      'net.ipv6.conf.all.accept_source_route': '0',
      'net.ipv6.conf.default.accept_source_route': '0',
    }),
    drift: sysctlSet({ 'net.ipv4.conf.default.accept_source_route': '1' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.sysctl.rp-filter',
    harden: sysctlSet({ 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.default.rp_filter': '1' }),
    drift: sysctlSet({ 'net.ipv4.conf.all.rp_filter': '2' }),
    baseline: 'pass',
  },
  {
    checkId: 'linux.sysctl.tcp-syncookies',
    harden: sysctlSet({ 'net.ipv4.tcp_syncookies': '1' }),
    drift: sysctlSet({ 'net.ipv4.tcp_syncookies': '0' }),
    baseline: 'pass',
  },
  // kernel.randomize_va_space is global: a drift would weaken the machine itself. Baseline is the
  // machine's value (2 on this Debian 12 machine).
  { checkId: 'linux.kernel.aslr', baseline: 'pass' },
  // fs.suid_dumpable is global (0 here), so only the limits.conf half can drift inside a host.
  {
    checkId: 'linux.kernel.core-dumps',
    harden: `mkdir -p /etc/security/limits.d\nprintf '* hard core 0\\n' > /etc/security/limits.d/60-osiris.conf\n`,
    drift: `printf '* hard core unlimited\\n' > /etc/security/limits.d/60-osiris.conf\n`,
    baseline: 'pass',
  },

  // Packages cannot be installed in a host, so drifts plant the other kinds of evidence: an inetd
  // entry, an enabled unit link and a real listener on the service's port.
  {
    checkId: 'linux.service.no-telnet-server',
    drift: `printf 'telnet stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd\\n' >> /etc/inetd.conf\n${listen('tcp', 23)}`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.service.no-rsh-server',
    drift: `printf 'shell stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.rshd\\n' >> /etc/inetd.conf\n${listen('tcp', 514)}`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.service.no-ftp-server',
    drift: `mkdir -p /etc/systemd/system/multi-user.target.wants\nln -sf /lib/systemd/system/vsftpd.service /etc/systemd/system/multi-user.target.wants/vsftpd.service\n${listen('tcp', 21)}`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.service.no-tftp-server',
    drift: `mkdir -p /etc/xinetd.d\nprintf 'service tftp\\n{\\n  socket_type = dgram\\n  protocol = udp\\n  disable = no\\n}\\n' > /etc/xinetd.d/tftp\n${listen('udp', 69)}`,
    baseline: 'pass',
  },

  // auditd, auditctl, rsyslog, chrony and ntpd are not installed on the machine the hosts share, and
  // systemd does not run inside a host, so these checks fail on a fresh host and no harden can make
  // them pass. Starting a time daemon inside a host would set the machine's clock: never.
  { checkId: 'linux.audit.auditd-active', baseline: 'fail' },
  { checkId: 'linux.audit.identity-rules', baseline: 'fail' },
  { checkId: 'linux.audit.sudoers-rules', baseline: 'fail' },
  { checkId: 'linux.audit.login-rules', baseline: 'fail' },
  { checkId: 'linux.logging.syslog-active', baseline: 'fail' },
  { checkId: 'linux.logging.remote-forwarding', baseline: 'fail' },
  { checkId: 'linux.time.sync-daemon', baseline: 'fail' },
  { checkId: 'linux.time.synchronized', baseline: 'fail' },
];
