import type { CheckDefinition } from './schema';

/** Local security policy for accounts and sessions on Windows (read with secedit and the registry). */
export const WINDOWS_ACCOUNT_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'windows.accounts.password-policy',
    platform: 'windows',
    title: 'Windows password policy meets the minimums',
    description:
      'Requires a minimum password length of at least 14, complexity on, a history of at least 12 passwords, a minimum age of at least 1 day, a maximum age between 1 and 365 days and no reversible encryption, as exported by secedit.',
    severity: 'high',
    hipaa: ['164.308(a)(5)(ii)(D)', '164.312(d)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['IA-5', 'IA-5(1)'], cis: ['1.1'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set the domain or local password policy: minimum length 14, complexity enabled, history 12 or more, minimum age 1 day, maximum age 90 to 365 days, reversible encryption disabled.',
    healable: true,
  },
  {
    id: 'windows.accounts.lockout-policy',
    platform: 'windows',
    title: 'Windows locks accounts after repeated failed log-ins',
    description:
      'Requires an account lockout threshold between 1 and 5 failed attempts, a lockout duration of at least 15 minutes (or until an administrator unlocks) and a counter reset window of at least 15 minutes.',
    severity: 'medium',
    hipaa: ['164.308(a)(5)(ii)(C)', '164.312(a)(2)(i)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-7'], cis: ['1.2'] },
    defaultIntervalSeconds: 300,
    remediation: 'Set the account lockout policy: threshold 5, duration 30 minutes, reset counter after 30 minutes.',
    healable: true,
  },
  {
    id: 'windows.accounts.guest-disabled',
    platform: 'windows',
    title: 'The built-in Guest account is disabled',
    description:
      'Requires the built-in Guest account (RID 501) to be disabled. Guest sign-ins are anonymous, so nothing done with them can be tied to a person.',
    severity: 'high',
    hipaa: ['164.312(a)(2)(i)'],
    mappings: { soc2: ['CC6.1', 'CC6.2'], nist80053: ['AC-2', 'IA-2'], cis: ['2.3.1'] },
    defaultIntervalSeconds: 300,
    remediation: 'Disable the account: Get-LocalUser | Where-Object SID -like "*-501" | Disable-LocalUser.',
    healable: true,
  },
  {
    id: 'windows.session.screen-lock',
    platform: 'windows',
    title: 'Idle sessions lock within 15 minutes',
    description:
      'Requires the "Interactive logon: Machine inactivity limit" (InactivityTimeoutSecs) to be set between 1 and 900 seconds, so an unattended console locks before someone else can use it.',
    severity: 'medium',
    hipaa: ['164.312(a)(2)(iii)'],
    mappings: { soc2: ['CC6.1'], nist80053: ['AC-11', 'AC-11(1)'], cis: ['2.3.7', 'CSC 4.3'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set "Interactive logon: Machine inactivity limit" to 900 seconds or less by Group Policy, or InactivityTimeoutSecs (DWORD) under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System.',
    healable: true,
  },
  {
    id: 'windows.uac.enabled',
    platform: 'windows',
    title: 'User Account Control is on and prompts administrators',
    description:
      'Requires EnableLUA = 1, an administrator consent prompt (ConsentPromptBehaviorAdmin not 0) and prompts on the secure desktop. Without UAC every program an administrator starts runs with full rights.',
    severity: 'high',
    hipaa: ['164.312(a)(1)'],
    mappings: { soc2: ['CC6.1', 'CC6.3'], nist80053: ['AC-6', 'AC-6(10)'], cis: ['2.3.17'] },
    defaultIntervalSeconds: 300,
    remediation:
      'Set EnableLUA = 1, ConsentPromptBehaviorAdmin = 2 and PromptOnSecureDesktop = 1 under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System and restart (EnableLUA takes effect after a reboot).',
    healable: true,
  },
];
