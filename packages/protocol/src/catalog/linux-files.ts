import type { CheckDefinition } from './schema';

/** Ownership and modes of sensitive files, and filesystem-wide scans (hourly: they walk every local filesystem). */
export const LINUX_FILE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.files.shadow-permissions',
    platform: 'linux',
    title: '/etc/shadow is readable only by root and the shadow group',
    description:
      'Requires /etc/shadow to be owned by root, group root or shadow, with mode 0640 or stricter. The file holds every password hash; anyone who can read it can crack them offline, and anyone who can write it can become any user.',
    severity: 'critical',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-3', 'AC-6'], cis: ['6.1.5'] },
    defaultIntervalSeconds: 300,
    remediation: 'Run "chown root:shadow /etc/shadow" (root:root on RHEL) and "chmod 0640 /etc/shadow".',
    healable: true,
  },
  {
    id: 'linux.files.gshadow-permissions',
    platform: 'linux',
    title: '/etc/gshadow is readable only by root and the shadow group',
    description:
      'Requires /etc/gshadow to be owned by root, group root or shadow, with mode 0640 or stricter. It holds group passwords and administrators; write access lets a user add themselves to any group.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-3', 'AC-6'], cis: ['6.1.7'] },
    defaultIntervalSeconds: 300,
    remediation: 'Run "chown root:shadow /etc/gshadow" (root:root on RHEL) and "chmod 0640 /etc/gshadow".',
    healable: true,
  },
  {
    id: 'linux.files.passwd-permissions',
    platform: 'linux',
    title: '/etc/passwd is writable only by root',
    description:
      'Requires /etc/passwd to be owned by root:root with mode 0644 or stricter. Anyone who can write it can change a UID to 0 or replace a login shell and take over the system.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-3', 'AC-6'], cis: ['6.1.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Run "chown root:root /etc/passwd" and "chmod 0644 /etc/passwd".',
    healable: true,
  },
  {
    id: 'linux.files.sshd-config-permissions',
    platform: 'linux',
    title: 'The SSH server configuration is accessible only by root',
    description:
      'Requires /etc/ssh/sshd_config and the files in /etc/ssh/sshd_config.d to be owned by root:root with mode 0600 or stricter, so no other user can read how SSH is protected or weaken it.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-3', 'CM-5'], cis: ['5.2.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Run "chown root:root" and "chmod 0600" on /etc/ssh/sshd_config and every file in sshd_config.d.',
    healable: true,
  },
  {
    id: 'linux.files.sudoers-permissions',
    platform: 'linux',
    title: 'sudo rules are writable by no one',
    description:
      'Requires /etc/sudoers and the files in /etc/sudoers.d to be owned by root:root with mode 0440 or stricter. Whoever can change these files decides who may act as root.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)'],
    mappings: { soc2: ['CC6.1', 'CC6.3'], nist80053: ['AC-3', 'AC-6', 'CM-5'], cis: ['5.3'] },
    defaultIntervalSeconds: 300,
    remediation: 'Run "chown root:root" and "chmod 0440" on /etc/sudoers and every file in /etc/sudoers.d.',
    healable: true,
  },
  {
    id: 'linux.files.world-writable',
    platform: 'linux',
    title: 'No world-writable files on local filesystems',
    description:
      'Searches local filesystems (not /proc, /sys or network mounts) for regular files that every user may write. Any user or compromised service can alter such a file, which breaks the integrity of the data or program it holds.',
    severity: 'medium',
    hipaa: ['164.312(c)(1)', '164.312(a)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-3', 'AC-6'], cis: ['6.1.9'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Review each file listed in the evidence; remove write access for others ("chmod o-w <file>") unless an application documents why it needs it.',
    healable: false,
  },
  {
    id: 'linux.files.unowned',
    platform: 'linux',
    title: 'No files belong to a missing user or group',
    description:
      'Searches local filesystems for files and directories whose owner or group no longer exists. Orphaned files are silently inherited by the next account created with the same UID or GID.',
    severity: 'low',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-3', 'CM-6'], cis: ['6.1.10', '6.1.11'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Review each file listed in the evidence; give it to the right current owner ("chown <user>:<group>") or remove it.',
    healable: false,
  },
];
