import { z } from 'zod';
import { commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';
import { powerShellCollector } from './powershell';

const EXPECTED = 'BitLocker protection On and the system drive fully encrypted';

// Enum values are converted to their names so the JSON does not depend on PowerShell's enum serialisation.
const SCRIPT = `$v = Get-BitLockerVolume -MountPoint $env:SystemDrive -ErrorAction Stop
[pscustomobject]@{ MountPoint = "$($v.MountPoint)"; ProtectionStatus = "$($v.ProtectionStatus)"; VolumeStatus = "$($v.VolumeStatus)"; EncryptionPercentage = [double]$v.EncryptionPercentage; EncryptionMethod = "$($v.EncryptionMethod)" } | ConvertTo-Json -Compress`;

const Volume = z.object({
  MountPoint: z.string().max(260),
  ProtectionStatus: z.string().max(32),
  VolumeStatus: z.string().max(64),
  EncryptionPercentage: z.number().min(0).max(100),
  EncryptionMethod: z.string().max(64),
});

export const windowsBitLocker: PlatformCheck = {
  collect: powerShellCollector('bitlocker', SCRIPT),
  evaluate(collected) {
    const problem = commandProblem(collected.bitlocker, 'Get-BitLockerVolume', EXPECTED);
    if (problem) return problem;
    const parsed = Volume.safeParse(parseJson(collected.bitlocker?.stdout ?? ''));
    if (!parsed.success)
      return errorEvaluation('UNPARSEABLE_OUTPUT', 'Get-BitLockerVolume printed unexpected JSON', EXPECTED);
    const v = parsed.data;
    const observed = {
      mount_point: v.MountPoint,
      protection_status: v.ProtectionStatus,
      volume_status: v.VolumeStatus,
      encryption_percentage: String(v.EncryptionPercentage),
      encryption_method: v.EncryptionMethod,
    };
    const isOn = v.ProtectionStatus === 'On';
    const isFull = v.VolumeStatus === 'FullyEncrypted' && v.EncryptionPercentage === 100;
    if (isOn && isFull)
      return evaluation('PASS', EXPECTED, `${v.MountPoint} protection On, ${v.EncryptionMethod}`, observed);
    const actual = `${v.MountPoint} ProtectionStatus=${v.ProtectionStatus}, VolumeStatus=${v.VolumeStatus} (${v.EncryptionPercentage}%)`;
    return evaluation('FAIL', EXPECTED, actual, observed);
  },
};
