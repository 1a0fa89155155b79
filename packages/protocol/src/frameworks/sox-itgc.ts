import { type FrameworkControl, type ControlRow, rowsToControls } from './schema';

const family = (name: string, rows: readonly ControlRow[]): FrameworkControl[] =>
  rowsToControls('sox-itgc', name, rows);

/**
 * SOX IT general controls. SOX itself names no controls; these are our own stable ids over the four domains
 * auditors test for systems that support financial reporting.
 */
export const SOX_ITGC_CONTROLS: readonly FrameworkControl[] = Object.freeze([
  ...family('Access to programs and data', [
    ['SOX-AC-01', 'Security administration policy', 'Logical access is governed by a written, approved policy.'],
    ['SOX-AC-02', 'New access is authorized', 'User accounts and rights are granted only on an approved request.'],
    [
      'SOX-AC-03',
      'Access is removed on termination',
      'Accounts of people who leave or change role are disabled promptly.',
    ],
    ['SOX-AC-04', 'Periodic access review', 'Owners review user accounts and rights regularly and correct them.'],
    [
      'SOX-AC-05',
      'Privileged access is restricted',
      'Administrator and superuser rights are few, named and controlled.',
    ],
    [
      'SOX-AC-06',
      'Unique identities and strong authentication',
      'Users sign in as themselves with credentials that meet policy.',
    ],
    [
      'SOX-AC-07',
      'Shared, default and system accounts are controlled',
      'Generic accounts are disabled or tightly held.',
    ],
    [
      'SOX-AC-08',
      'Network and remote access is secured',
      'Perimeter and host firewalls and secure protocols protect access.',
    ],
    [
      'SOX-AC-09',
      'Security events are logged and reviewed',
      'Access and security events are recorded, protected and reviewed.',
    ],
    [
      'SOX-AC-10',
      'Sensitive files and data are protected',
      'Permissions and encryption keep financial data from unauthorized use.',
    ],
    [
      'SOX-AC-11',
      'Sessions and failed log-ins are controlled',
      'Idle sessions lock and repeated failed log-ins lock accounts.',
    ],
    [
      'SOX-AC-12',
      'Systems are protected from malicious software',
      'Anti-malware and hardening prevent unauthorized code.',
    ],
  ]),
  ...family('Program changes', [
    ['SOX-PC-01', 'Changes are requested and authorized', 'Every change to systems has an approved request.'],
    ['SOX-PC-02', 'Changes are tested', 'Changes are tested before they reach production.'],
    [
      'SOX-PC-03',
      'Changes are approved for production',
      'A responsible person approves moving a change to production.',
    ],
    ['SOX-PC-04', 'Developers cannot change production', 'People who build changes do not deploy them unchecked.'],
    ['SOX-PC-05', 'Emergency changes are controlled', 'Urgent changes are documented and approved after the fact.'],
    [
      'SOX-PC-06',
      'System software and patches are kept current',
      'Operating system and security updates are applied in a controlled way.',
    ],
    [
      'SOX-PC-07',
      'Configuration changes are monitored',
      'Unauthorized changes to configurations and files are detected.',
    ],
  ]),
  ...family('Program development', [
    ['SOX-PD-01', 'A development methodology is followed', 'New systems are built or bought under a defined process.'],
    ['SOX-PD-02', 'Users accept new systems', 'Business users test and sign off before go-live.'],
    [
      'SOX-PD-03',
      'Data conversion is validated',
      'Data moved into new systems is checked to be complete and accurate.',
    ],
    ['SOX-PD-04', 'Go-live is approved', 'Management approves putting a new system into production.'],
  ]),
  ...family('Computer operations', [
    ['SOX-CO-01', 'Batch jobs are scheduled and monitored', 'Scheduled processing runs as authorized and is watched.'],
    ['SOX-CO-02', 'Processing failures are resolved', 'Job and interface failures are tracked to resolution.'],
    [
      'SOX-CO-03',
      'Backups are performed and monitored',
      'Data and systems are backed up on schedule and failures followed up.',
    ],
    ['SOX-CO-04', 'Restores are tested', 'Backups are restored periodically to show they work.'],
    ['SOX-CO-05', 'Incidents and problems are managed', 'Operational incidents are logged, analysed and closed.'],
    [
      'SOX-CO-06',
      'Availability and capacity are monitored',
      'Systems are watched for capacity, time and health problems.',
    ],
  ]),
]);
