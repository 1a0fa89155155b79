import { z } from 'zod';
import { psScript } from '../powershell';

/** One collector for both Defender checks: the documented fields of Get-MpComputerStatus. */
export const DEFENDER_COLLECTOR = psScript(`
if (-not (Get-Command -Name Get-MpComputerStatus -ErrorAction SilentlyContinue)) {
  return [ordered]@{ isAvailable = $false }
}
$status = Get-MpComputerStatus
$updated = $null
if ($status.AntivirusSignatureLastUpdated) { $updated = $status.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('o') }
[ordered]@{
  isAvailable = $true
  amServiceEnabled = [bool]$status.AMServiceEnabled
  antivirusEnabled = [bool]$status.AntivirusEnabled
  realTimeProtectionEnabled = [bool]$status.RealTimeProtectionEnabled
  behaviorMonitorEnabled = [bool]$status.BehaviorMonitorEnabled
  amRunningMode = [string]$status.AMRunningMode
  antivirusSignatureAge = [int]$status.AntivirusSignatureAge
  antivirusSignatureLastUpdated = $updated
  antivirusSignatureVersion = [string]$status.AntivirusSignatureVersion
}
`);

export const DefenderStatus = z.union([
  z.strictObject({ isAvailable: z.literal(false) }),
  z.strictObject({
    isAvailable: z.literal(true),
    amServiceEnabled: z.boolean(),
    antivirusEnabled: z.boolean(),
    realTimeProtectionEnabled: z.boolean(),
    behaviorMonitorEnabled: z.boolean(),
    /** Empty on builds before AMRunningMode existed. */
    amRunningMode: z.string().max(40),
    /** Days; 65535 when the signatures were never updated. */
    antivirusSignatureAge: z.number().int().min(0).max(65_535),
    antivirusSignatureLastUpdated: z.string().max(40).nullable(),
    antivirusSignatureVersion: z.string().max(40),
  }),
]);
