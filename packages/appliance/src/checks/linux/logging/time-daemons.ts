/** The time synchronisation daemons the logging checks recognise, and their probe. */
import { probeScript } from '../services/service-probe';
import type { DaemonSelector } from './daemon-state';

export const TIME_DAEMONS: ReadonlyArray<{ name: string } & DaemonSelector> = [
  {
    name: 'chronyd',
    processes: ['chronyd'],
    units: ['chrony.service', 'chronyd.service'],
    packages: ['chrony'],
    binaries: ['chronyd'],
  },
  {
    name: 'systemd-timesyncd',
    // /proc/<pid>/comm is truncated to 15 characters.
    processes: ['systemd-timesyn'],
    units: ['systemd-timesyncd.service'],
    packages: ['systemd-timesyncd'],
    binaries: ['systemd-timesyncd'],
  },
  {
    name: 'ntpd',
    processes: ['ntpd'],
    units: ['ntp.service', 'ntpd.service', 'ntpsec.service', 'openntpd.service'],
    packages: ['ntp', 'ntpsec', 'openntpd'],
    binaries: ['ntpd'],
  },
];

export const TIME_PROBE = probeScript({
  packages: TIME_DAEMONS.flatMap((d) => d.packages ?? []),
  binaries: TIME_DAEMONS.flatMap((d) => d.binaries ?? []),
  processes: TIME_DAEMONS.flatMap((d) => d.processes),
  units: TIME_DAEMONS.flatMap((d) => d.units),
  sysvScripts: ['chrony', 'ntp', 'ntpsec', 'openntpd'],
});
