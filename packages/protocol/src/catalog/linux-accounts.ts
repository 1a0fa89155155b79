import type { CheckDefinition } from './schema';

/** Local accounts, password policy, lockout and shell sessions. */
export const LINUX_ACCOUNT_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'linux.accounts.uid0-only-root',
    platform: 'linux',
    title: 'Root is the only account with UID 0',
    description:
      'Reads /etc/passwd and requires that no account other than root has UID 0. Another UID 0 account is a second, unnamed root that bypasses sudo and makes actions impossible to attribute.',
    severity: 'critical',
    hipaa: ['164.312(a)(1)', '164.312(a)(2)(i)'],
    mappings: { soc2: ['CC6.1', 'CC6.3'], nist80053: ['AC-2', 'AC-6', 'IA-2'], cis: ['6.2.10'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Find out who uses the account; give it a unique non-zero UID (usermod -u) or remove it, and grant administrative rights through sudo instead.',
    healable: false,
  },
  {
    id: 'linux.accounts.no-empty-passwords',
    platform: 'linux',
    title: 'No account has an empty password',
    description:
      'Reads /etc/shadow and requires every account’s password field to be a hash or a lock marker (! or *), never empty. An empty password lets anyone sign in as that account.',
    severity: 'critical',
    hipaa: ['164.312(d)', '164.308(a)(5)(ii)(D)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['IA-2', 'IA-5'], cis: ['6.2.2'] },
    defaultIntervalSeconds: 300,
    remediation: 'Lock the account ("passwd -l <user>") and have its owner set a password, or remove the account.',
    healable: false,
  },
  {
    id: 'linux.accounts.password-ageing',
    platform: 'linux',
    title: 'Password ageing limits are set',
    description:
      'Requires PASS_MAX_DAYS of 90 or less, PASS_MIN_DAYS of 1 or more and PASS_WARN_AGE of 7 or more in /etc/login.defs, and the same limits in /etc/shadow for every account that has a password, so passwords are changed regularly and cannot be cycled back at once.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(D)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['IA-5(1)'], cis: ['5.5.1.1', '5.5.1.2', '5.5.1.3'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set PASS_MAX_DAYS 90, PASS_MIN_DAYS 1 and PASS_WARN_AGE 7 in /etc/login.defs and apply them to existing accounts with "chage --maxdays 90 --mindays 1 --warndays 7 <user>" after telling their owners.',
    healable: false,
  },
  {
    id: 'linux.accounts.inactive-lock',
    platform: 'linux',
    title: 'Accounts lock after 30 days with an expired password',
    description:
      'Requires the useradd default INACTIVE to be between 0 and 30 days and every account with a password to have an inactivity period of 30 days or less, so accounts that nobody uses any more, such as those of people who left, disable themselves.',
    severity: 'low',
    hipaa: ['164.308(a)(3)(ii)(C)', '164.312(a)(1)'],
    mappings: { soc2: ['CC6.2'], nist80053: ['AC-2(3)'], cis: ['5.5.1.4'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Run "useradd -D -f 30" and "chage --inactive 30 <user>" for existing accounts, after checking that none of them is already past the limit.',
    healable: false,
  },
  {
    id: 'linux.accounts.password-quality',
    platform: 'linux',
    title: 'Passwords must be at least 14 characters',
    description:
      'Requires pam_pwquality in the password stack with minlen of 14 or more (pwquality.conf or module arguments), so new passwords resist guessing.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(D)', '164.312(d)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['IA-5(1)'], cis: ['5.4.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Install libpam-pwquality (Debian/Ubuntu) or libpwquality (RHEL) and set "minlen = 14" in /etc/security/pwquality.conf; it applies to the next password change.',
    healable: true,
  },
  {
    id: 'linux.accounts.lockout',
    platform: 'linux',
    title: 'Accounts lock after repeated failed log-ins',
    description:
      'Requires pam_faillock (or pam_tally2) in the authentication stack with deny of 5 or fewer failures and unlock_time of 900 seconds or more, so password guessing is stopped and each lockout is recorded.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(C)', '164.312(d)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-7'], cis: ['5.4.2'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Enable pam_faillock in the auth and account stacks (pam-auth-update or authselect with-faillock) and set "deny = 5" and "unlock_time = 900" in /etc/security/faillock.conf.',
    healable: false,
  },
  {
    id: 'linux.session.shell-timeout',
    platform: 'linux',
    title: 'Idle sessions log out after 15 minutes',
    description:
      'Requires TMOUT of 900 seconds or less, readonly and exported, in /etc/profile, /etc/profile.d or /etc/bash.bashrc, and where a GNOME desktop is installed a screen lock after at most 900 idle seconds, so an unattended session does not stay open.',
    severity: 'medium',
    hipaa: ['164.312(a)(2)(iii)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-11', 'AC-12'], cis: ['1.8.4', '5.5.5'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Write "readonly TMOUT=900; export TMOUT" to /etc/profile.d/60-osiris-tmout.sh; on desktops set org.gnome.desktop.session idle-delay 900 and lock-enabled true.',
    healable: true,
  },
];
