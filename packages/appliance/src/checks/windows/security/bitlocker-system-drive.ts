import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.bitlocker.system-drive';

/** Enum properties are cast to [string] so the JSON carries their names (FullyEncrypted, On), not numbers. */
const COLLECTOR = psScript(`
$drive = $env:SystemDrive
if (-not (Get-Command -Name Get-BitLockerVolume -ErrorAction SilentlyContinue)) {
  return [ordered]@{ mountPoint = $drive; isAvailable = $false }
}
$volume = Get-BitLockerVolume -MountPoint $drive
[ordered]@{
  mountPoint = $drive
  isAvailable = $true
  volumeStatus = [string]$volume.VolumeStatus
  protectionStatus = [string]$volume.ProtectionStatus
  encryptionPercentage = [double]$volume.EncryptionPercentage
  encryptionMethod = [string]$volume.EncryptionMethod
  keyProtectors = @($volume.KeyProtector | ForEach-Object { [string]$_.KeyProtectorType })
}
`);

const Output = z.union([
  z.strictObject({ mountPoint: z.string().max(10), isAvailable: z.literal(false) }),
  z.strictObject({
    mountPoint: z.string().max(10),
    isAvailable: z.literal(true),
    volumeStatus: z.string().min(1).max(40),
    protectionStatus: z.enum(['Off', 'On', 'Unknown']),
    encryptionPercentage: z.number().min(0).max(100),
    encryptionMethod: z.string().max(40),
    keyProtectors: z.array(z.string().max(40)).max(20),
  }),
]);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const data = parsed.data;
  if (!data.isAvailable) {
    return {
      status: 'fail',
      reason: `BitLocker is not installed on this host, so ${data.mountPoint} is not encrypted.`,
      observed: { mountPoint: data.mountPoint, isAvailable: false },
    };
  }
  const observed = { ...data };
  if (data.volumeStatus === 'FullyEncrypted' && data.protectionStatus === 'On') {
    return {
      status: 'pass',
      reason: `${data.mountPoint} is fully encrypted (${data.encryptionMethod}) and BitLocker protection is on.`,
      observed,
    };
  }
  if (data.volumeStatus === 'FullyEncrypted') {
    return {
      status: 'fail',
      reason: `${data.mountPoint} is encrypted but BitLocker protection is ${data.protectionStatus} (suspended), so the key is readable without a protector.`,
      observed,
    };
  }
  return {
    status: 'fail',
    reason: `${data.mountPoint} is not fully encrypted: ${data.volumeStatus} at ${data.encryptionPercentage}%.`,
    observed,
  };
}

export const bitlockerSystemDrive: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
