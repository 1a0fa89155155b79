import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/** linux.sysctl.tcp-syncookies */
export const tcpSyncookies: LinuxCheck = defineSysctlCheck({
  id: 'linux.sysctl.tcp-syncookies',
  subject: 'TCP SYN cookies',
  requirements: [{ key: 'net.ipv4.tcp_syncookies', expected: '1' }],
  passReason: 'TCP SYN cookies are enabled.',
});
