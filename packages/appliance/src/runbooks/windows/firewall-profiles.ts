import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { windowsPhase } from './windows-script';

const ACTIVE_PS = `$active = @(Get-NetFirewallProfile -PolicyStore ActiveStore)
$failing = @($active | Where-Object { [string]$_.Enabled -ne 'True' -or [string]$_.DefaultInboundAction -eq 'Allow' } | ForEach-Object { [string]$_.Name })`;

/**
 * RB-WIN-FIREWALL-001 / RB-WIN-SEC-001 (Windows Firewall Status / Re-enable): T 120, 2 retries /
 * 15 s, concurrent. Turning the firewall on is the Windows case of "a fix that can cut off the
 * management connection": the built-in WinRM allow rules are enabled first, and rollback restores
 * the saved profile settings when verification fails.
 */
export const firewallProfilesRunbook: RunbookDefinition = {
  id: 'rb-windows.firewall.profiles-enabled',
  title: 'Turn Windows Firewall on with inbound blocked by default',
  description:
    'Enables the built-in WinRM allow rules (WINRM-HTTP-In-TCP*) so management keeps working, then turns on every disabled profile and sets DefaultInboundAction Block where it is Allow. The previous profile settings are saved for rollback. A Group Policy that turns the firewall off wins; verify then fails and the incident escalates.',
  platform: 'windows',
  checks: ['windows.firewall.profiles-enabled', 'windows.firewall.default-inbound-block'],
  params: z.strictObject({}),
  detect: windowsPhase(`${ACTIVE_PS}
[ordered]@{ needed = ($failing.Count -gt 0); failing = $failing }`),
  remediate: windowsPhase(`${ACTIVE_PS}
Save-Backup 'firewall-backup.json' @(Get-NetFirewallProfile | ForEach-Object { [ordered]@{ name = [string]$_.Name; enabled = [string]$_.Enabled; defaultInboundAction = [string]$_.DefaultInboundAction } })
Get-NetFirewallRule -Name 'WINRM-HTTP-In-TCP*' -ErrorAction SilentlyContinue | Enable-NetFirewallRule
$changed = @()
foreach ($fwProfile in $active) {
  $name = [string]$fwProfile.Name
  if ([string]$fwProfile.Enabled -ne 'True') { Set-NetFirewallProfile -Name $name -Enabled True; $changed += ($name + '.Enabled') }
  if ([string]$fwProfile.DefaultInboundAction -eq 'Allow') { Set-NetFirewallProfile -Name $name -DefaultInboundAction Block; $changed += ($name + '.DefaultInboundAction') }
}
[ordered]@{ changed = $changed }`),
  verify: windowsPhase(`${ACTIVE_PS}
[ordered]@{ verified = ($active.Count -ge 3 -and $failing.Count -eq 0); failing = $failing }`),
  captureState: windowsPhase(
    `[ordered]@{ profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object { [ordered]@{ name = [string]$_.Name; enabled = [string]$_.Enabled; defaultInboundAction = [string]$_.DefaultInboundAction; defaultOutboundAction = [string]$_.DefaultOutboundAction } }) }`,
  ),
  rollback: windowsPhase(`$before = Read-Backup 'firewall-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
foreach ($saved in @($before)) { Set-NetFirewallProfile -Name $saved.name -Enabled $saved.enabled -DefaultInboundAction $saved.defaultInboundAction }
[ordered]@{ rolledBack = $true; restored = @(@($before) | ForEach-Object { $_.name }) }`),
  timeoutSeconds: 120,
  retries: { max: 2, backoffSeconds: 15 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
};
