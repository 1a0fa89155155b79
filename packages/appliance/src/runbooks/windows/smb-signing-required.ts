import { registryRunbook } from './registry-runbook';

/** RB-WIN-SEC-007 (SMB Signing Enforcement): T 60, 2 retries / 30 s, concurrent. */
export const smbSigningRequiredRunbook = registryRunbook({
  checkId: 'windows.smb.signing-required',
  title: 'Require SMB signing',
  description:
    'Sets RequireSecuritySignature = 1 for the SMB server (LanmanServer) and client (LanmanWorkstation). Devices that cannot sign (some old scanners and NAS) lose access to shares.',
  settings: [
    {
      path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters',
      name: 'RequireSecuritySignature',
      min: 1,
      max: 1,
      target: '1',
    },
    {
      path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters',
      name: 'RequireSecuritySignature',
      min: 1,
      max: 1,
      target: '1',
    },
  ],
  timeoutSeconds: 60,
  retries: { max: 2, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
});
