import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/** linux.sysctl.accept-redirects: `all` and `default` both, so interfaces created later inherit 0. */
export const acceptRedirects: LinuxCheck = defineSysctlCheck({
  id: 'linux.sysctl.accept-redirects',
  subject: 'ICMP redirect handling',
  requirements: [
    { key: 'net.ipv4.conf.all.accept_redirects', expected: '0' },
    { key: 'net.ipv4.conf.default.accept_redirects', expected: '0' },
    { key: 'net.ipv4.conf.all.secure_redirects', expected: '0' },
    { key: 'net.ipv4.conf.default.secure_redirects', expected: '0' },
    { key: 'net.ipv6.conf.all.accept_redirects', expected: '0', isIpv6: true },
    { key: 'net.ipv6.conf.default.accept_redirects', expected: '0', isIpv6: true },
  ],
  passReason: 'The host ignores ICMP redirects (IPv4, secure and IPv6).',
});
