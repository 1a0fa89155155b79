import { z } from 'zod';
import { EVENT_LOG_MIN_BYTES } from '../../checks/windows/logging/event-logs';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

/** Sizes written when a log is too small: the Security log gets 1 GiB (reference §4.2), the others their minimum. */
const TARGET_BYTES: Readonly<Record<string, number>> = { ...EVENT_LOG_MIN_BYTES, Security: 1024 * 1024 * 1024 };

const LOGS_PS = `$minimum = @{ ${Object.entries(EVENT_LOG_MIN_BYTES)
  .map(([name, bytes]) => `'${name}' = ${bytes}`)
  .join('; ')} }
$target = @{ ${Object.entries(TARGET_BYTES)
  .map(([name, bytes]) => `'${name}' = ${bytes}`)
  .join('; ')} }
$service = Get-Service -Name EventLog
$logs = @()
$failing = @()
if ($service.Status -eq 'Running') {
  foreach ($name in $minimum.Keys) {
    $log = Get-WinEvent -ListLog $name
    $logs += [ordered]@{ name = $name; isEnabled = [bool]$log.IsEnabled; maximumSizeInBytes = [int64]$log.MaximumSizeInBytes }
    if (-not $log.IsEnabled -or $log.MaximumSizeInBytes -lt $minimum[$name]) { $failing += $name }
  }
} else { $failing += 'EventLog service' }`;

/**
 * RB-WIN-SEC-012 (Event Log Protection): T 120, 2 retries / 15 s, concurrent. Only raises sizes;
 * rollback restores the sizes saved before the change.
 */
export const eventLogsRunbook: RunbookDefinition = {
  id: 'rb-windows.logging.event-logs',
  title: 'Start the Event Log service and enlarge the event logs',
  description:
    'Sets the Windows Event Log service to start automatically and starts it, enables the Security, System and Application logs and raises any that are too small (Security to 1 GiB, System and Application to 32 MiB) with wevtutil. Never shrinks a log.',
  platform: 'windows',
  checks: ['windows.logging.event-logs'],
  params: z.strictObject({}),
  detect: windowsPhase(`${LOGS_PS}
[ordered]@{ needed = ($failing.Count -gt 0); failing = $failing }`),
  remediate: windowsPhase(`${LOGS_PS}
$changed = @()
if ($service.Status -ne 'Running') {
  Set-Service -Name EventLog -StartupType Automatic
  Start-Service -Name EventLog
  $changed += 'EventLog service'
}
$current = @(foreach ($name in $minimum.Keys) { Get-WinEvent -ListLog $name })
Save-Backup 'eventlog-backup.json' @($current | ForEach-Object { [ordered]@{ name = [string]$_.LogName; maximumSizeInBytes = [int64]$_.MaximumSizeInBytes } })
foreach ($log in $current) {
  $name = [string]$log.LogName
  if (-not $log.IsEnabled -or $log.MaximumSizeInBytes -lt $minimum[$name]) {
    $size = [math]::Max([int64]$log.MaximumSizeInBytes, [int64]$target[$name])
    $null = & wevtutil.exe sl $name /e:true ('/ms:' + $size)
    if ($LASTEXITCODE -ne 0) { throw ('wevtutil sl failed for the ' + $name + ' log') }
    $changed += $name
  }
}
[ordered]@{ changed = $changed }`),
  verify: windowsPhase(`${LOGS_PS}
[ordered]@{ verified = ($failing.Count -eq 0); failing = $failing }`),
  captureState: windowsPhase(`${LOGS_PS}
[ordered]@{ serviceStatus = [string]$service.Status; logs = $logs }`),
  rollback: windowsPhase(`$before = Read-Backup 'eventlog-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
foreach ($log in @($before)) {
  $null = & wevtutil.exe sl $log.name ('/ms:' + $log.maximumSizeInBytes)
}
[ordered]@{ rolledBack = $true; restored = @(@($before) | ForEach-Object { $_.name }) }`),
  timeoutSeconds: 120,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
};
