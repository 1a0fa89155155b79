import { registryRunbook } from './registry-runbook';

const KEY = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp';

/** RB-WIN-SEC-010 (NLA Enforcement): T 60, 2 retries / 15 s, concurrent. */
export const rdpNlaRequiredRunbook = registryRunbook({
  checkId: 'windows.rdp.nla-required',
  title: 'Require Network Level Authentication for Remote Desktop',
  description:
    'Sets UserAuthentication = 1, SecurityLayer = 2 (TLS) and MinEncryptionLevel = 3 on the RDP-Tcp listener. Open sessions continue; new connections must authenticate first. A Group Policy value overrides the listener; verify then fails and the incident escalates.',
  settings: [
    { path: KEY, name: 'UserAuthentication', min: 1, max: 1, target: '1' },
    { path: KEY, name: 'SecurityLayer', min: 2, max: 2, target: '2' },
    { path: KEY, name: 'MinEncryptionLevel', min: 3, max: 4, target: '3' },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
