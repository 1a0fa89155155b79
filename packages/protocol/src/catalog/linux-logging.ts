import type { CheckDefinition } from './schema';

/** Audit daemon and rules, system logging, log shipping and time synchronisation. */
export const LINUX_LOGGING_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.audit.auditd-active',
    platform: 'linux',
    title: 'The audit daemon is enabled and running',
    description:
      'Requires the auditd service to be installed, enabled and active. auditd records security-relevant kernel events (logins, privilege use, changes to account and configuration files) that audit controls and activity review depend on.',
    severity: 'high',
    hipaa: ['164.312(b)', '164.308(a)(1)(ii)(D)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-2', 'AU-12'], cis: ['4.1.1.1', '4.1.1.2'] },
    defaultIntervalSeconds: 300,
    remediation: 'Install auditd (apt install auditd / dnf install audit) and run "systemctl enable --now auditd".',
    healable: true,
  },
  {
    id: 'linux.audit.identity-rules',
    platform: 'linux',
    title: 'Changes to account files are audited',
    description:
      'Requires loaded audit rules (auditctl -l) that watch /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow and /etc/security/opasswd for writes and attribute changes, so every account and password change is recorded.',
    severity: 'high',
    hipaa: ['164.312(b)', '164.308(a)(1)(ii)(D)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AC-2(4)', 'AU-2', 'AU-12'], cis: ['4.1.3.8'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Add "-w <file> -p wa -k identity" for each file to /etc/audit/rules.d/50-identity.rules and load it with "augenrules --load".',
    healable: true,
  },
  {
    id: 'linux.audit.sudoers-rules',
    platform: 'linux',
    title: 'Changes to sudo rules are audited',
    description:
      'Requires loaded audit rules that watch /etc/sudoers and /etc/sudoers.d for writes and attribute changes, so any change to who may act as root is recorded.',
    severity: 'high',
    hipaa: ['164.312(b)', '164.308(a)(1)(ii)(D)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-2', 'AU-12'], cis: ['4.1.3.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Add "-w /etc/sudoers -p wa -k scope" and "-w /etc/sudoers.d -p wa -k scope" to /etc/audit/rules.d/50-scope.rules and load them with "augenrules --load".',
    healable: true,
  },
  {
    id: 'linux.audit.login-rules',
    platform: 'linux',
    title: 'Log-in and session records are audited',
    description:
      'Requires loaded audit rules that watch /var/log/lastlog, /var/run/faillock, /var/run/utmp, /var/log/wtmp and /var/log/btmp, so successful and failed log-ins and session starts are recorded for log-in monitoring.',
    severity: 'high',
    hipaa: ['164.308(a)(5)(ii)(C)', '164.312(b)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-2', 'AU-12', 'AU-14'], cis: ['4.1.3.11', '4.1.3.12'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Add "-w <file> -p wa -k logins" (lastlog, faillock) and "-w <file> -p wa -k session" (utmp, wtmp, btmp) to /etc/audit/rules.d/50-login.rules and load them with "augenrules --load".',
    healable: true,
  },
  {
    id: 'linux.logging.syslog-active',
    platform: 'linux',
    title: 'System logs are collected and kept across reboots',
    description:
      'Requires rsyslog to be enabled and active, or systemd-journald to be active with persistent storage (Storage=persistent or /var/log/journal present), so authentication and service logs survive a reboot.',
    severity: 'high',
    hipaa: ['164.312(b)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-11', 'AU-12'], cis: ['4.2.1.4', '4.2.2.2'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Run "systemctl enable --now rsyslog", or set Storage=persistent in /etc/systemd/journald.conf and restart systemd-journald.',
    healable: true,
  },
  {
    id: 'linux.logging.remote-forwarding',
    platform: 'linux',
    title: 'Logs are shipped to a remote log host',
    description:
      'Requires rsyslog to forward to a remote destination (omfwd or @@host) or systemd-journal-upload to be active with a remote URL. Logs kept only on the host can be erased by whoever compromises it and cannot be reviewed centrally.',
    severity: 'high',
    hipaa: ['164.312(b)', '164.308(a)(1)(ii)(D)'],
    mappings: {
      soc2: ['CC7.2'],
      nist80053: ['AU-4(1)', 'AU-6', 'AU-9(2)'],
      cis: ['4.2.1.1.2', '4.2.2.6'],
    },
    defaultIntervalSeconds: 300,
    remediation:
      'Configure rsyslog to forward to the practice’s log collector (an action(type="omfwd" ...) with TCP and TLS where supported) in /etc/rsyslog.d/, or configure and enable systemd-journal-upload.',
    healable: false,
  },
  {
    id: 'linux.time.sync-daemon',
    platform: 'linux',
    title: 'One time synchronisation daemon is running',
    description:
      'Requires exactly one of chronyd, systemd-timesyncd or ntpd to be enabled and active. Audit records are only useful as evidence when their timestamps can be trusted and correlated across systems.',
    severity: 'medium',
    hipaa: ['164.312(b)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-8', 'SC-45(1)'], cis: ['2.1.1.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Enable one daemon ("systemctl enable --now chrony" or "systemctl enable --now systemd-timesyncd") and disable the others.',
    healable: true,
  },
  {
    id: 'linux.time.synchronized',
    platform: 'linux',
    title: 'The system clock is synchronised',
    description:
      'Requires the time daemon to report a synchronised clock (chrony leap status Normal, or timedatectl NTPSynchronized=yes) with an estimated offset below 1 second, so log and audit timestamps are accurate.',
    severity: 'medium',
    hipaa: ['164.312(b)'],
    mappings: { soc2: ['CC7.2'], nist80053: ['AU-8', 'SC-45(1)'], cis: ['2.1.2.1', '2.1.3.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Point the time daemon at the practice’s authorised time servers, make sure UDP 123 to them is allowed, and restart the daemon; check with "chronyc tracking" or "timedatectl timesync-status".',
    healable: false,
  },
];
