import type { CheckDefinition } from './schema';

/** MAC, patching, storage (encryption, free space, /tmp), file integrity and backups. */
export const LINUX_SYSTEM_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.mac.enforcing',
    platform: 'linux',
    title: 'Mandatory access control is enforcing',
    description:
      'Requires AppArmor to be enabled with profiles loaded and none in complain mode, or SELinux to be in Enforcing mode. Mandatory access control confines services so a compromised daemon cannot reach data outside its policy.',
    severity: 'high',
    hipaa: ['164.312(a)(1)', '164.312(c)(1)', '164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC6.1', 'CC6.8'], nist80053: ['AC-3(3)', 'AC-6'], cis: ['1.6.1.2', '1.6.1.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Enable AppArmor (apparmor=1 security=apparmor on the kernel command line) and put profiles in enforce mode with aa-enforce, or set SELINUX=enforcing in /etc/selinux/config; test applications first.',
    healable: false,
  },
  {
    id: 'linux.patch.security-updates',
    platform: 'linux',
    title: 'No security updates are pending',
    description:
      'Asks the package manager for installable updates from security sources (the apt security pocket, dnf updateinfo --security) and requires none to be pending. Unpatched packages are the most common way malicious software gets in.',
    severity: 'high',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC7.1'], nist80053: ['SI-2', 'SI-2(2)'], cis: ['1.9'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Install the pending security updates (apt-get upgrade / dnf upgrade --security) in a maintenance window and reboot if the kernel or a core library was updated.',
    healable: false,
  },
  {
    id: 'linux.patch.age',
    platform: 'linux',
    title: 'Packages were updated in the last 30 days',
    description:
      'Reads the package manager history (dpkg log, dnf history) and requires the last successful package upgrade to be at most 30 days old. A host that nobody patches falls behind published fixes even before an advisory is flagged.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: { soc2: ['CC7.1'], nist80053: ['SI-2', 'SI-2(3)'], cis: ['1.9'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Apply available updates now and schedule them at least monthly (unattended-upgrades or dnf-automatic for security updates).',
    healable: false,
  },
  {
    id: 'linux.disk.encryption',
    platform: 'linux',
    title: 'Data volumes are encrypted',
    description:
      'Lists block devices and requires every mounted local filesystem other than /boot and the EFI partition, and every active swap device, to sit on a LUKS (dm-crypt) volume. Unencrypted disks expose ePHI when a drive or server is stolen, returned or thrown away.',
    severity: 'high',
    hipaa: ['164.312(a)(2)(iv)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['SC-28', 'SC-28(1)'], cis: ['CSC 3.11'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Move the data to a LUKS2 volume (cryptsetup luksFormat with AES-256-XTS), unlocked at boot by TPM or a network key server; an installed system usually needs a planned reinstall or migration.',
    healable: false,
  },
  {
    id: 'linux.disk.free-space',
    platform: 'linux',
    title: 'Every local filesystem has at least 10 % free space and inodes',
    description:
      'Requires every mounted local filesystem to use less than 90 % of its blocks and of its inodes. A full disk stops audit and system logs from being written (auditd may even halt the host) and breaks the applications that hold ePHI.',
    severity: 'medium',
    hipaa: ['164.312(b)'],
    mappings: { soc2: ['A1.1'], nist80053: ['AU-4', 'AU-5'], cis: ['CSC 8.3'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Free space (rotate and compress logs, remove old kernels and caches, move data) or grow the filesystem; find the largest directories with "du -x".',
    healable: false,
  },
  {
    id: 'linux.mount.tmp-options',
    platform: 'linux',
    title: '/tmp is a separate mount with nodev, nosuid and noexec',
    description:
      'Requires /tmp to be its own filesystem (tmpfs or a partition) mounted with nodev, nosuid and noexec. Everyone can write to /tmp; these options stop it being used to run dropped malware or to plant device and setuid files.',
    severity: 'low',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    mappings: {
      soc2: ['CC6.8'],
      nist80053: ['CM-6', 'CM-7'],
      cis: ['1.1.2.1', '1.1.2.2', '1.1.2.3', '1.1.2.4'],
    },
    defaultIntervalSeconds: 300,
    remediation:
      'Mount /tmp as tmpfs or a partition with "nodev,nosuid,noexec" in /etc/fstab (or enable tmp.mount with those options) and remount it at the next maintenance window.',
    healable: false,
  },
  {
    id: 'linux.integrity.aide',
    platform: 'linux',
    title: 'File integrity monitoring runs regularly',
    description:
      'Requires AIDE to be installed with an initialised database and a scheduled check (dailyaidecheck timer, aidecheck timer or cron job). It detects unauthorised changes to system programs, configuration and other monitored files.',
    severity: 'medium',
    hipaa: ['164.312(c)(1)', '164.312(c)(2)'],
    mappings: { soc2: ['CC6.8', 'CC7.1'], nist80053: ['SI-7', 'SI-7(1)'], cis: ['1.3.1', '1.3.2'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Install aide, initialise the database (aideinit or aide --init, then move the new database into place) and enable the daily check timer; review its reports.',
    healable: false,
  },
  {
    id: 'linux.backup.recent',
    platform: 'linux',
    title: 'A backup completed in the last 26 hours',
    description:
      'Looks for a known backup agent (restic, Borg, Duplicity, Bacula, Veeam, UrBackup, or a systemd timer named for backups) and requires its last run to have succeeded within 26 hours. Without a recent retrievable copy, ePHI lost to ransomware or hardware failure cannot be restored.',
    severity: 'high',
    hipaa: ['164.308(a)(7)(ii)(A)'],
    mappings: { soc2: ['A1.2'], nist80053: ['CP-9'], cis: ['CSC 11.2'] },
    defaultIntervalSeconds: 3600,
    remediation:
      'Schedule a daily encrypted backup of the host’s data to a separate system, check why the last run failed, and test a restore.',
    healable: false,
  },
];
