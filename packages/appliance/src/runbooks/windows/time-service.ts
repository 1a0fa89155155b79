import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

const PARAMETERS_KEY = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters';

const STATUS_PS = `$service = Get-Service -Name W32Time
$stratum = $null
$source = $null
if ($service.Status -eq 'Running') {
  foreach ($line in @(& w32tm.exe /query /status)) {
    if ($line -match '^\\s*Stratum:\\s*(\\d+)') { $stratum = [int]$Matches[1] }
    if ($line -match '^\\s*Source:\\s*(.+?)\\s*$') { $source = $Matches[1] }
  }
}
$isSynced = ($service.Status -eq 'Running') -and ($null -ne $stratum) -and ($stratum -ge 1) -and ($stratum -le 9) -and ($source -notmatch '^(Local CMOS Clock|Free-running System Clock)$')`;

/**
 * RB-WIN-SVC-004 (Windows Time Service Recovery): T 120, 3 retries / 15 s, concurrent. Peers are
 * only set on hosts outside a domain (domain members follow the domain hierarchy); rollback
 * restores the saved NtpServer and Type.
 */
export const timeServiceRunbook: RunbookDefinition = {
  id: 'rb-windows.time.service-synchronized',
  title: 'Restart and resynchronize Windows Time',
  description:
    'Sets W32Time to start automatically, starts it and forces a resync. On a workgroup host that still runs from its local clock it configures time.windows.com and time.nist.gov as peers first. Previous peer settings are saved for rollback.',
  platform: 'windows',
  checks: ['windows.time.service-synchronized'],
  params: z.strictObject({}),
  detect: windowsPhase(`${STATUS_PS}
[ordered]@{ needed = (-not $isSynced); serviceStatus = [string]$service.Status; stratum = $stratum; source = $source }`),
  remediate: windowsPhase(`${STATUS_PS}
$key = '${PARAMETERS_KEY}'
Save-Backup 'w32time-backup.json' ([ordered]@{ ntpServer = (Get-RegValue $key 'NtpServer'); type = (Get-RegValue $key 'Type') })
$changed = @()
if ($service.StartType -ne 'Automatic') { Set-Service -Name W32Time -StartupType Automatic; $changed += 'StartType' }
if ($service.Status -ne 'Running') { Start-Service -Name W32Time; $changed += 'Status' }
$isDomainMember = [bool](Get-CimInstance -ClassName Win32_ComputerSystem).PartOfDomain
if (-not $isDomainMember -and ($null -eq $source -or $source -match '^(Local CMOS Clock|Free-running System Clock)$')) {
  $null = & w32tm.exe /config '/manualpeerlist:time.windows.com,0x9 time.nist.gov,0x9' /syncfromflags:manual /update
  if ($LASTEXITCODE -ne 0) { throw "w32tm /config exited with code $LASTEXITCODE" }
  $changed += 'NtpServer'
}
$null = & w32tm.exe /resync /force
[ordered]@{ changed = $changed; resyncExitCode = $LASTEXITCODE }`),
  verify: windowsPhase(`${STATUS_PS}
[ordered]@{ verified = $isSynced; stratum = $stratum; source = $source }`),
  captureState: windowsPhase(`${STATUS_PS}
$key = '${PARAMETERS_KEY}'
[ordered]@{ serviceStatus = [string]$service.Status; startType = [string]$service.StartType; stratum = $stratum; source = $source; ntpServer = (Get-RegValue $key 'NtpServer'); type = (Get-RegValue $key 'Type') }`),
  rollback: windowsPhase(`$before = Read-Backup 'w32time-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
$key = '${PARAMETERS_KEY}'
if ($null -ne $before.ntpServer) { Set-ItemProperty -LiteralPath $key -Name NtpServer -Value $before.ntpServer }
if ($null -ne $before.type) { Set-ItemProperty -LiteralPath $key -Name Type -Value $before.type }
$null = & w32tm.exe /config /update
[ordered]@{ rolledBack = $true }`),
  timeoutSeconds: 120,
  retries: { max: 3, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
};
