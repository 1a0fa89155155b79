import { defineSysctlRunbook } from './sysctl-runbook';

export const sysctlSendRedirects = defineSysctlRunbook({
  checkId: 'linux.sysctl.send-redirects',
  title: 'Stop sending ICMP redirects',
  description: 'Sets net.ipv4.conf.all/default.send_redirects to 0 at run time and in /etc/sysctl.d/60-osiris.conf.',
  values: { 'net.ipv4.conf.all.send_redirects': '0', 'net.ipv4.conf.default.send_redirects': '0' },
});
