import { registryRunbook } from './registry-runbook';

/** No §4.2 counterpart; written like the other registry hardening runbooks. */
export const autoplayDisabledRunbook = registryRunbook({
  checkId: 'windows.autoplay.disabled',
  title: 'Turn off AutoPlay for all drives',
  description:
    'Sets NoDriveTypeAutoRun = 255 under Policies\\Explorer so inserted media never runs anything by itself.',
  settings: [
    {
      path: 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer',
      name: 'NoDriveTypeAutoRun',
      min: 255,
      max: 255,
      target: '255',
    },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
