import { defineSysctlRunbook } from './sysctl-runbook';

export const sysctlTcpSyncookies = defineSysctlRunbook({
  checkId: 'linux.sysctl.tcp-syncookies',
  title: 'Enable TCP SYN cookies',
  description: 'Sets net.ipv4.tcp_syncookies to 1 at run time and in /etc/sysctl.d/60-osiris.conf.',
  values: { 'net.ipv4.tcp_syncookies': '1' },
});
