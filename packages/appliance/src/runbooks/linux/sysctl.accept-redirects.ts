import { defineSysctlRunbook } from './sysctl-runbook';

export const sysctlAcceptRedirects = defineSysctlRunbook({
  checkId: 'linux.sysctl.accept-redirects',
  title: 'Stop accepting ICMP redirects',
  description:
    'Sets the IPv4 accept_redirects and secure_redirects and IPv6 accept_redirects keys (all and default) to 0 at run time and in /etc/sysctl.d/60-osiris.conf.',
  values: {
    'net.ipv4.conf.all.accept_redirects': '0',
    'net.ipv4.conf.default.accept_redirects': '0',
    'net.ipv4.conf.all.secure_redirects': '0',
    'net.ipv4.conf.default.secure_redirects': '0',
    'net.ipv6.conf.all.accept_redirects': '0',
    'net.ipv6.conf.default.accept_redirects': '0',
  },
});
