import { Buffer } from 'node:buffer';
import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

const RESULT_FILE_PS = `(Join-Path $env:ProgramData 'OsirisCare\\wu-install-result.json')`;
const TASK_NAME = 'OsirisCare-InstallUpdates';
/** Seconds the remediation waits for the install task; leaves room inside the 1800 s runbook timeout. */
const INSTALL_WAIT_SECONDS = 1680;

const SEARCH_PS = `$session = New-Object -ComObject Microsoft.Update.Session
$found = $session.CreateUpdateSearcher().Search("IsInstalled=0 and Type='Software' and IsHidden=0")
$critical = @(foreach ($update in $found.Updates) { if ([string]$update.MsrcSeverity -eq 'Critical') { [string]$update.Title } })`;

/**
 * Runs as SYSTEM in a scheduled task: the Windows Update Agent refuses to download or install
 * over a WinRM session (access denied), so the remote phase only starts this and waits.
 */
const INSTALL_PS = `$ErrorActionPreference = 'Stop'
$out = ${RESULT_FILE_PS}
try {
  $session = New-Object -ComObject Microsoft.Update.Session
  $found = $session.CreateUpdateSearcher().Search("IsInstalled=0 and Type='Software' and IsHidden=0")
  $wanted = New-Object -ComObject Microsoft.Update.UpdateColl
  foreach ($update in $found.Updates) {
    if ([string]$update.MsrcSeverity -eq 'Critical' -or [string]$update.MsrcSeverity -eq 'Important') {
      if (-not $update.EulaAccepted) { $update.AcceptEula() }
      $null = $wanted.Add($update)
    }
  }
  $result = [ordered]@{ selected = $wanted.Count; downloadResult = $null; installResult = $null; rebootRequired = $false }
  if ($wanted.Count -gt 0) {
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $wanted
    $result.downloadResult = [int]$downloader.Download().ResultCode
    $installer = $session.CreateUpdateInstaller()
    $installer.Updates = $wanted
    $installed = $installer.Install()
    $result.installResult = [int]$installed.ResultCode
    $result.rebootRequired = [bool]$installed.RebootRequired
  }
} catch {
  $result = [ordered]@{ error = [string]$_.Exception.Message }
}
$null = New-Item -ItemType Directory -Path (Split-Path -Parent $out) -Force
ConvertTo-Json -InputObject $result -Compress -Depth 4 | Set-Content -LiteralPath $out -Encoding UTF8`;

/** Carried as base64 of UTF-16LE text and written to a file the task runs, so no quoting can break it. */
const INSTALL_ENCODED = Buffer.from(INSTALL_PS, 'utf16le').toString('base64');

/**
 * RB-WIN-PATCH-001 (Windows Patch Compliance): T 1800, 2 retries / 60 s, maintenance window,
 * disruptive, reboot. Installs Critical and Important updates; it reports whether a reboot is
 * required and never reboots by itself. Installed updates are not rolled back automatically.
 */
export const criticalUpdatesRunbook: RunbookDefinition = {
  id: 'rb-windows.patch.critical-updates',
  title: 'Install pending critical and important updates',
  description:
    'Searches Windows Update, then installs the pending Critical and Important software updates from a one-off SYSTEM scheduled task (the update API refuses installs over WinRM) and waits for it. Reports rebootRequired; updates that need a reboot only verify after it.',
  platform: 'windows',
  checks: ['windows.patch.critical-updates'],
  params: z.strictObject({}),
  detect: windowsPhase(`${SEARCH_PS}
[ordered]@{ needed = ($critical.Count -gt 0); criticalCount = $critical.Count; critical = @($critical | Select-Object -First 20) }`),
  remediate: windowsPhase(`$out = ${RESULT_FILE_PS}
Remove-Item -LiteralPath $out -Force -ErrorAction SilentlyContinue
$scriptFile = Join-Path (Get-StateDir) 'wu-install.ps1'
[Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('${INSTALL_ENCODED}')) | Set-Content -LiteralPath $scriptFile -Encoding UTF8
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $scriptFile + '"')
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
$null = Register-ScheduledTask -TaskName '${TASK_NAME}' -Action $action -Principal $principal -Force
try {
  Start-ScheduledTask -TaskName '${TASK_NAME}'
  $deadline = (Get-Date).AddSeconds(${INSTALL_WAIT_SECONDS})
  while (-not (Test-Path -LiteralPath $out) -and (Get-Date) -lt $deadline) { Start-Sleep -Seconds 10 }
} finally {
  Stop-ScheduledTask -TaskName '${TASK_NAME}' -ErrorAction SilentlyContinue
  Unregister-ScheduledTask -TaskName '${TASK_NAME}' -Confirm:$false
}
if (-not (Test-Path -LiteralPath $out)) { throw 'the update installation did not finish in time' }
$installed = Get-Content -LiteralPath $out -Raw | ConvertFrom-Json
if ($installed.error) { throw ('the update installation failed: ' + $installed.error) }
[ordered]@{ changed = @('updates'); selected = $installed.selected; downloadResult = $installed.downloadResult; installResult = $installed.installResult; rebootRequired = $installed.rebootRequired }`),
  verify: windowsPhase(`${SEARCH_PS}
[ordered]@{ verified = ($critical.Count -eq 0); criticalCount = $critical.Count }`),
  captureState: windowsPhase(`${SEARCH_PS}
[ordered]@{ pendingCount = $found.Updates.Count; critical = @($critical | Select-Object -First 20); recentHotfixes = @(Get-HotFix | Sort-Object -Property InstalledOn -ErrorAction SilentlyContinue | Select-Object -Last 20 | ForEach-Object { [string]$_.HotFixID }) }`),
  timeoutSeconds: 1800,
  retries: { max: 2, backoffSeconds: 60 },
  disruptive: true,
  requiresMaintenanceWindow: true,
  requiresReboot: true,
  allowConcurrent: false,
};

/** The script the scheduled task runs, for tests (it is only visible base64-encoded in `remediate`). */
export const INSTALL_TASK_SCRIPT = INSTALL_PS;
