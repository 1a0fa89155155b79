import { z } from 'zod';
import { registryRunbook } from './registry-runbook';

/** The workstation agent's screenlock/configure heal (reference §11.4), as a runbook with verify. */
export const screenLockRunbook = registryRunbook({
  checkId: 'windows.session.screen-lock',
  title: 'Lock idle sessions',
  description:
    'Sets the machine inactivity limit (InactivityTimeoutSecs under Policies\\System) to the inactivitySeconds parameter (default 900) when it is unset, 0 or longer than 900 seconds. Applies at the next sign-in.',
  params: z.strictObject({ inactivitySeconds: z.number().int().min(60).max(900).default(900) }),
  settings: [
    {
      path: 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System',
      name: 'InactivityTimeoutSecs',
      min: 1,
      max: 900,
      target: 'if ($env:P_INACTIVITY_SECONDS) { [int]$env:P_INACTIVITY_SECONDS } else { 900 }',
    },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
