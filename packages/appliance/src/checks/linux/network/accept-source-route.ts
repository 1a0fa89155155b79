import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/** linux.sysctl.accept-source-route */
export const acceptSourceRoute: LinuxCheck = defineSysctlCheck({
  id: 'linux.sysctl.accept-source-route',
  subject: 'source-routed packet handling',
  requirements: [
    { key: 'net.ipv4.conf.all.accept_source_route', expected: '0' },
    { key: 'net.ipv4.conf.default.accept_source_route', expected: '0' },
    { key: 'net.ipv6.conf.all.accept_source_route', expected: '0', isIpv6: true },
    { key: 'net.ipv6.conf.default.accept_source_route', expected: '0', isIpv6: true },
  ],
  passReason: 'The host drops source-routed IPv4 and IPv6 packets.',
});
