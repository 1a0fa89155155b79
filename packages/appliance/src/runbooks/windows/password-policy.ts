import { securityPolicyRunbook } from './security-policy-runbook';

/** RB-WIN-SEC-004 / RB-WIN-ACCESS-001 (password part): T 120, 2 retries / 30 s, concurrent. */
export const passwordPolicyRunbook = securityPolicyRunbook({
  checkId: 'windows.accounts.password-policy',
  title: 'Enforce the Windows password policy',
  description:
    'With secedit, raises only the settings below the minimums: length 14, complexity on, history 12, minimum age 1 day, maximum age 90 days (when unlimited or over 365), no reversible encryption. Existing passwords stay valid until they change.',
  settings: [
    { key: 'MinimumPasswordLength', min: 14, max: 128, target: 14 },
    { key: 'PasswordComplexity', min: 1, max: 1, target: 1 },
    { key: 'PasswordHistorySize', min: 12, max: 24, target: 12 },
    { key: 'MinimumPasswordAge', min: 1, max: 998, target: 1 },
    { key: 'MaximumPasswordAge', min: 1, max: 365, target: 90 },
    { key: 'ClearTextPassword', min: 0, max: 0, target: 0, isUnsetOk: true },
  ],
  timeoutSeconds: 120,
  retries: { max: 2, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
