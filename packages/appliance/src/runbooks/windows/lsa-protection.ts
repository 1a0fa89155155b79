import { registryRunbook } from './registry-runbook';

/** RB-WIN-SEC-013 (Credential Guard Status, RunAsPPL part): T 60, 1 retry / 30 s, maintenance window, reboot, concurrent. */
export const lsaProtectionRunbook = registryRunbook({
  checkId: 'windows.lsa.protection',
  title: 'Run the LSA as a protected process',
  description:
    'Sets RunAsPPL = 1 under Control\\Lsa. Takes effect after a reboot; LSA plug-ins that are not signed for protected mode stop loading, so it waits for a maintenance window.',
  settings: [{ path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa', name: 'RunAsPPL', min: 1, max: 2, target: '1' }],
  timeoutSeconds: 60,
  retries: { max: 1, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: true,
  requiresReboot: true,
  allowConcurrent: true,
});
