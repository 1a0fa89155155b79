import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { powerShellStep, type Runbook } from '../runbook';

/**
 * RB-WIN-SEC-005: resume suspended BitLocker protection on the system drive. Disruptive class
 * (full remediation only); a drive that is not encrypted at all is left to a person.
 */
export const WINDOWS_BITLOCKER_RESUME: Runbook = {
  id: 'RB-WIN-SEC-005',
  title: 'Resume BitLocker protection on the system drive',
  checkId: 'disk_encryption',
  tier: CapabilityTier.FULL_REMEDIATION,
  steps: {
    windows: powerShellStep(
      `$v = Get-BitLockerVolume -MountPoint $env:SystemDrive -ErrorAction Stop; if ("$($v.VolumeStatus)" -ne 'FullyEncrypted') { throw "system drive is $($v.VolumeStatus): enabling BitLocker needs a person (recovery key escrow)" }; Resume-BitLocker -MountPoint $env:SystemDrive -ErrorAction Stop | Out-Null; "ProtectionStatus=$((Get-BitLockerVolume -MountPoint $env:SystemDrive).ProtectionStatus)"`,
    ),
  },
};
