import { defineSysctlRunbook } from './sysctl-runbook';

export const sysctlAcceptSourceRoute = defineSysctlRunbook({
  checkId: 'linux.sysctl.accept-source-route',
  title: 'Drop source-routed packets',
  description:
    'Sets IPv4 and IPv6 accept_source_route (all and default) to 0 at run time and in /etc/sysctl.d/60-osiris.conf.',
  values: {
    'net.ipv4.conf.all.accept_source_route': '0',
    'net.ipv4.conf.default.accept_source_route': '0',
    'net.ipv6.conf.all.accept_source_route': '0',
    'net.ipv6.conf.default.accept_source_route': '0',
  },
});
