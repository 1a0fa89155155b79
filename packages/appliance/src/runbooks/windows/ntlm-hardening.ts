import { registryRunbook } from './registry-runbook';

const KEY = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa';

/** RB-WIN-SEC-008 (NTLM Security Settings): T 60, 2 retries / 30 s, maintenance window, disruptive, reboot, concurrent. */
export const ntlmHardeningRunbook = registryRunbook({
  checkId: 'windows.auth.ntlm-hardening',
  title: 'Refuse LAN Manager and NTLMv1 authentication',
  description:
    'Sets LmCompatibilityLevel = 5 (send NTLMv2 only, refuse LM and NTLM) when below 3 or unset, and NoLMHash = 1. Clients that only speak LM or NTLMv1 can no longer authenticate, hence the maintenance window.',
  settings: [
    { path: KEY, name: 'LmCompatibilityLevel', min: 3, max: 5, target: '5' },
    { path: KEY, name: 'NoLMHash', min: 1, max: 1, target: '1' },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 30 },
  disruptive: true,
  requiresMaintenanceWindow: true,
  requiresReboot: true,
  allowConcurrent: true,
});
