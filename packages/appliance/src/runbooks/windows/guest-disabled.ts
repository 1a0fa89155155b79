import { securityPolicyRunbook } from './security-policy-runbook';

/** No §4.2 counterpart; the policy key works on members and domain controllers alike (no local-user cmdlets). */
export const guestDisabledRunbook = securityPolicyRunbook({
  checkId: 'windows.accounts.guest-disabled',
  title: 'Disable the built-in Guest account',
  description: 'With secedit, sets EnableGuestAccount = 0 so the built-in Guest account (RID 501) cannot sign in.',
  settings: [{ key: 'EnableGuestAccount', min: 0, max: 0, target: 0 }],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
