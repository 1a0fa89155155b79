import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

const MAX_SIGNATURE_AGE_DAYS = 3;

const STATUS_PS = `$status = Get-MpComputerStatus
$problems = @()
if (-not $status.AntivirusEnabled) { $problems += 'antivirus' }
if (-not $status.RealTimeProtectionEnabled) { $problems += 'realtime' }
if (-not $status.BehaviorMonitorEnabled) { $problems += 'behavior' }
if ($status.AntivirusSignatureAge -gt ${MAX_SIGNATURE_AGE_DAYS}) { $problems += 'signatures' }`;

/**
 * RB-WIN-SEC-006 / RB-WIN-AV-001 (Defender Real-time Protection, Defender Health): T 300, 3 retries
 * / 30 s, concurrent. Repairs both Defender checks; never turns anything off, so no rollback.
 */
export const defenderProtectionRunbook: RunbookDefinition = {
  id: 'rb-windows.defender.realtime-protection',
  title: 'Restore Microsoft Defender protection',
  description:
    'Turns real-time protection and behavior monitoring back on, updates signatures older than 3 days and starts a quick scan in the background. If a policy or tamper protection keeps real-time protection off, verify fails and the incident escalates.',
  platform: 'windows',
  checks: ['windows.defender.realtime-protection', 'windows.defender.signatures-current'],
  params: z.strictObject({}),
  detect: windowsPhase(`${STATUS_PS}
[ordered]@{ needed = ($problems.Count -gt 0); problems = $problems }`),
  remediate: windowsPhase(`${STATUS_PS}
$changed = @()
if ($problems -contains 'realtime' -or $problems -contains 'behavior' -or $problems -contains 'antivirus') {
  Set-MpPreference -DisableRealtimeMonitoring $false -DisableBehaviorMonitoring $false
  $changed += 'RealTimeProtection'
}
if ($problems -contains 'signatures') {
  Update-MpSignature
  $changed += 'Signatures'
}
$null = Start-MpScan -ScanType QuickScan -AsJob
[ordered]@{ changed = $changed; quickScanStarted = $true }`),
  verify: windowsPhase(`${STATUS_PS}
[ordered]@{ verified = ($problems.Count -eq 0); problems = $problems }`),
  captureState: windowsPhase(`$status = Get-MpComputerStatus
$preference = Get-MpPreference
[ordered]@{
  antivirusEnabled = [bool]$status.AntivirusEnabled
  realTimeProtectionEnabled = [bool]$status.RealTimeProtectionEnabled
  behaviorMonitorEnabled = [bool]$status.BehaviorMonitorEnabled
  antivirusSignatureAge = [int]$status.AntivirusSignatureAge
  antivirusSignatureVersion = [string]$status.AntivirusSignatureVersion
  disableRealtimeMonitoring = [bool]$preference.DisableRealtimeMonitoring
  disableBehaviorMonitoring = [bool]$preference.DisableBehaviorMonitoring
  isTamperProtected = [bool]$status.IsTamperProtected
}`),
  timeoutSeconds: 300,
  retries: { max: 3, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
};
