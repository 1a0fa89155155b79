import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/** linux.sysctl.ip-forward: a documented router or container host gets an exception, not a different rule. */
export const ipForward: LinuxCheck = defineSysctlCheck({
  id: 'linux.sysctl.ip-forward',
  subject: 'IP forwarding',
  requirements: [
    { key: 'net.ipv4.ip_forward', expected: '0' },
    { key: 'net.ipv6.conf.all.forwarding', expected: '0', isIpv6: true },
  ],
  passReason: 'The host does not forward IPv4 or IPv6 packets.',
});
