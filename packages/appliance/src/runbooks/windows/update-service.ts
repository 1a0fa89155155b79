import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

/**
 * RB-WIN-UPD-001 (Windows Update Service Reset): T 300, 2 retries / 60 s, not concurrent. Only
 * the part the check needs: a disabled wuauserv goes back to Manual (its default trigger start).
 */
export const updateServiceRunbook: RunbookDefinition = {
  id: 'rb-windows.update.service-enabled',
  title: 'Re-enable the Windows Update service',
  description:
    'Sets wuauserv from Disabled back to Manual (its default trigger start) and starts it; the previous start type is saved for rollback. A missing service cannot be repaired here and escalates.',
  platform: 'windows',
  checks: ['windows.update.service-enabled'],
  params: z.strictObject({}),
  detect: windowsPhase(`$service = Get-Service -Name wuauserv
$startType = [string]$service.StartType
[ordered]@{ needed = ($startType -ne 'Automatic' -and $startType -ne 'Manual'); startType = $startType; status = [string]$service.Status }`),
  remediate: windowsPhase(`$service = Get-Service -Name wuauserv
$startType = [string]$service.StartType
Save-Backup 'wuauserv-backup.json' ([ordered]@{ startType = $startType })
$changed = @()
if ($startType -ne 'Automatic' -and $startType -ne 'Manual') { Set-Service -Name wuauserv -StartupType Manual; $changed += 'StartType' }
Start-Service -Name wuauserv
[ordered]@{ changed = $changed }`),
  verify: windowsPhase(`$startType = [string](Get-Service -Name wuauserv).StartType
[ordered]@{ verified = ($startType -eq 'Automatic' -or $startType -eq 'Manual'); startType = $startType }`),
  captureState: windowsPhase(`$service = Get-Service -Name wuauserv
[ordered]@{ startType = [string]$service.StartType; status = [string]$service.Status }`),
  rollback: windowsPhase(`$before = Read-Backup 'wuauserv-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
if ($before.startType -eq 'Disabled') { Stop-Service -Name wuauserv -Force }
Set-Service -Name wuauserv -StartupType $before.startType
[ordered]@{ rolledBack = $true; startType = $before.startType }`),
  timeoutSeconds: 300,
  retries: { max: 2, backoffSeconds: 60 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
