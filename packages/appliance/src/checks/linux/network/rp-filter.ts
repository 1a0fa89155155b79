import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/**
 * linux.sysctl.rp-filter: strict mode (1) only. Loose mode (2, systemd's default) still accepts
 * spoofed sources reachable by any route, so it fails; multi-homed hosts get an exception.
 */
export const rpFilter: LinuxCheck = defineSysctlCheck({
  id: 'linux.sysctl.rp-filter',
  subject: 'reverse path filtering',
  requirements: [
    { key: 'net.ipv4.conf.all.rp_filter', expected: '1' },
    { key: 'net.ipv4.conf.default.rp_filter', expected: '1' },
  ],
  passReason: 'Strict reverse path filtering is on for all and new interfaces.',
});
