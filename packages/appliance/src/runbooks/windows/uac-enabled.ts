import { registryRunbook } from './registry-runbook';

const KEY = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System';

/** RB-WIN-SEC-011 (UAC Enforcement): T 60, 2 retries / 15 s, requires reboot, concurrent. */
export const uacEnabledRunbook = registryRunbook({
  checkId: 'windows.uac.enabled',
  title: 'Enforce User Account Control',
  description:
    'Sets EnableLUA = 1, a consent prompt for administrators (ConsentPromptBehaviorAdmin = 2) and prompts on the secure desktop, changing only what is off. EnableLUA takes effect after a reboot.',
  settings: [
    { path: KEY, name: 'EnableLUA', min: 1, max: 1, target: '1' },
    { path: KEY, name: 'ConsentPromptBehaviorAdmin', min: 1, max: 5, target: '2', isUnsetOk: true },
    { path: KEY, name: 'PromptOnSecureDesktop', min: 1, max: 1, target: '1', isUnsetOk: true },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: true,
  allowConcurrent: true,
});
