import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/** linux.sysctl.send-redirects */
export const sendRedirects: LinuxCheck = defineSysctlCheck({
  id: 'linux.sysctl.send-redirects',
  subject: 'ICMP redirect sending',
  requirements: [
    { key: 'net.ipv4.conf.all.send_redirects', expected: '0' },
    { key: 'net.ipv4.conf.default.send_redirects', expected: '0' },
  ],
  passReason: 'The host does not send ICMP redirects.',
});
