import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

/**
 * No single §4.2 counterpart (RB-NET-SECURITY-001 hardens SMB). Disabling SMBv1 cuts off devices
 * that only speak it (old scanners, NAS), so it is disruptive and waits for a maintenance window.
 */
export const smbV1DisabledRunbook: RunbookDefinition = {
  id: 'rb-windows.smb.v1-disabled',
  title: 'Disable the SMBv1 server protocol',
  description:
    'Runs Set-SmbServerConfiguration -EnableSMB1Protocol $false. Devices that only speak SMBv1 lose access to shares; rollback turns it back on if verification fails.',
  platform: 'windows',
  checks: ['windows.smb.v1-disabled'],
  params: z.strictObject({}),
  detect: windowsPhase(`$isOn = [bool](Get-SmbServerConfiguration).EnableSMB1Protocol
[ordered]@{ needed = $isOn; enableSMB1Protocol = $isOn }`),
  remediate: windowsPhase(`$isOn = [bool](Get-SmbServerConfiguration).EnableSMB1Protocol
Save-Backup 'smb1-backup.json' ([ordered]@{ enableSMB1Protocol = $isOn })
if ($isOn) { Set-SmbServerConfiguration -EnableSMB1Protocol $false -Force }
[ordered]@{ changed = @(if ($isOn) { 'EnableSMB1Protocol' }) }`),
  verify: windowsPhase(`$isOn = [bool](Get-SmbServerConfiguration).EnableSMB1Protocol
[ordered]@{ verified = (-not $isOn) }`),
  captureState: windowsPhase(`$config = Get-SmbServerConfiguration
[ordered]@{ enableSMB1Protocol = [bool]$config.EnableSMB1Protocol; enableSMB2Protocol = [bool]$config.EnableSMB2Protocol }`),
  rollback: windowsPhase(`$before = Read-Backup 'smb1-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
if ($before.enableSMB1Protocol) { Set-SmbServerConfiguration -EnableSMB1Protocol $true -Force }
[ordered]@{ rolledBack = $true }`),
  timeoutSeconds: 120,
  retries: { max: 1, backoffSeconds: 30 },
  disruptive: true,
  requiresMaintenanceWindow: true,
  requiresReboot: false,
  allowConcurrent: false,
};
