import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

const VOLUME_PS = `if (-not (Get-Command -Name Get-BitLockerVolume -ErrorAction SilentlyContinue)) { throw 'BitLocker is not installed on this host' }
$volume = Get-BitLockerVolume -MountPoint $env:SystemDrive
$status = [string]$volume.VolumeStatus
$protection = [string]$volume.ProtectionStatus`;

/**
 * RB-WIN-SEC-005 (BitLocker Status Recovery) with RB-WIN-ENCRYPTION-001's alert: T 120, 1 retry /
 * 60 s, maintenance window, disruptive. It only resumes suspended protection; starting encryption
 * needs a recovery key escrowed first, so a decrypted drive is reported for a person to handle.
 */
export const bitlockerSystemDriveRunbook: RunbookDefinition = {
  id: 'rb-windows.bitlocker.system-drive',
  title: 'Resume suspended BitLocker protection',
  description:
    'Resumes BitLocker on the system drive when it is fully encrypted but protection is suspended (after firmware or update work). A drive that is not encrypted is left alone and reported: encryption starts only after a person has escrowed the recovery key.',
  platform: 'windows',
  checks: ['windows.bitlocker.system-drive'],
  params: z.strictObject({}),
  detect: windowsPhase(`${VOLUME_PS}
$action = 'none'
if ($status -eq 'FullyEncrypted' -and $protection -eq 'Off') { $action = 'resume' }
elseif ($status -ne 'FullyEncrypted') { $action = 'manual' }
[ordered]@{ needed = ($action -ne 'none'); action = $action; volumeStatus = $status; protectionStatus = $protection }`),
  remediate: windowsPhase(`${VOLUME_PS}
if ($status -eq 'FullyEncrypted' -and $protection -eq 'Off') {
  $null = Resume-BitLocker -MountPoint $env:SystemDrive
  return [ordered]@{ changed = @('ProtectionStatus'); action = 'resume' }
}
[ordered]@{ changed = @(); action = 'manual'; recommendation = ('Back up a recovery password to AD or Entra ID, then run Enable-BitLocker -MountPoint ' + $env:SystemDrive + ' -TpmProtector in a maintenance window.') }`),
  verify: windowsPhase(`${VOLUME_PS}
[ordered]@{ verified = ($status -eq 'FullyEncrypted' -and $protection -eq 'On'); volumeStatus = $status; protectionStatus = $protection }`),
  captureState: windowsPhase(`${VOLUME_PS}
[ordered]@{ mountPoint = $env:SystemDrive; volumeStatus = $status; protectionStatus = $protection; encryptionPercentage = [double]$volume.EncryptionPercentage; keyProtectorTypes = @($volume.KeyProtector | ForEach-Object { [string]$_.KeyProtectorType }) }`),
  timeoutSeconds: 120,
  retries: { max: 1, backoffSeconds: 60 },
  disruptive: true,
  requiresMaintenanceWindow: true,
  requiresReboot: false,
  allowConcurrent: false,
};
