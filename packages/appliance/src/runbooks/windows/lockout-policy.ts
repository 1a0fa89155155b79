import { securityPolicyRunbook } from './security-policy-runbook';

/** RB-WIN-SEC-003 (Account Lockout Policy Reset): T 60, 2 retries / 30 s, concurrent. */
export const lockoutPolicyRunbook = securityPolicyRunbook({
  checkId: 'windows.accounts.lockout-policy',
  title: 'Enforce the account lockout policy',
  description:
    'With secedit, sets only what is too lenient: threshold 5 failed log-ins, lockout 30 minutes (an existing "until an administrator unlocks" stays), counter reset after 15 minutes.',
  settings: [
    { key: 'LockoutBadCount', min: 1, max: 5, target: 5 },
    { key: 'LockoutDuration', min: 15, max: 99_999, target: 30, alsoOk: [-1] },
    { key: 'ResetLockoutCount', min: 15, max: 99_999, target: 15 },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
