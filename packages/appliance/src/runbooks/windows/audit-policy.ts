import { z } from 'zod';
import { REQUIRED_AUDIT_SUBCATEGORIES } from '../../checks/windows/logging/audit-subcategories';
import type { RunbookDefinition } from '../runbook';
import { psQuote, windowsPhase } from './windows-script';

const REQUIRED_PS = `$required = @(
${REQUIRED_AUDIT_SUBCATEGORIES.map((s) => `  [ordered]@{ guid = ${psQuote(s.guid)}; name = ${psQuote(s.name)}; bits = ${s.bits} }`).join('\n')}
)
function Get-AuditValues {
  $file = Join-Path (Get-StateDir) ('audit-' + [guid]::NewGuid().ToString('N') + '.csv')
  try {
    $null = & auditpol.exe /backup /file:$file
    if ($LASTEXITCODE -ne 0) { throw "auditpol /backup exited with code $LASTEXITCODE" }
    $values = @{}
    foreach ($row in Import-Csv -LiteralPath $file) {
      if ($row.'Subcategory GUID' -match '^\\{[0-9A-Fa-f-]{36}\\}$') { $values[$row.'Subcategory GUID'.ToUpperInvariant()] = [int]$row.'Setting Value' }
    }
    return $values
  } finally { Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue }
}
$values = Get-AuditValues
$failing = @($required | Where-Object { (([int]$values[$_.guid]) -band $_.bits) -ne $_.bits })`;

/**
 * RB-WIN-SEC-002 / RB-WIN-LOGGING-001 (Audit Policy Remediation / Windows Event Logging): T 120,
 * 2 retries / 30 s, concurrent. Subcategories are addressed by GUID so it works in every display
 * language; it only turns auditing on, and rollback restores the auditpol backup taken first.
 */
export const auditPolicyRunbook: RunbookDefinition = {
  id: 'rb-windows.audit.policy-subcategories',
  title: 'Enable the required audit subcategories',
  description:
    'Backs up the audit policy with auditpol /backup, then enables success and/or failure auditing for Logon, Logoff, Account Lockout, User Account Management, Security Group Management, Audit Policy Change, Authentication Policy Change and Sensitive Privilege Use where missing. Never turns auditing off.',
  platform: 'windows',
  checks: ['windows.audit.policy-subcategories'],
  params: z.strictObject({}),
  detect: windowsPhase(`${REQUIRED_PS}
[ordered]@{ needed = ($failing.Count -gt 0); failing = @($failing | ForEach-Object { $_.name }) }`),
  remediate: windowsPhase(`${REQUIRED_PS}
$backup = Join-Path (Get-StateDir) 'audit-backup.csv'
if (-not (Test-Path -LiteralPath $backup)) {
  $null = & auditpol.exe /backup /file:$backup
  if ($LASTEXITCODE -ne 0) { throw "auditpol /backup exited with code $LASTEXITCODE" }
}
$changed = @()
foreach ($entry in $failing) {
  $arguments = @('/set', ('/subcategory:' + $entry.guid))
  if ($entry.bits -band 1) { $arguments += '/success:enable' }
  if ($entry.bits -band 2) { $arguments += '/failure:enable' }
  $null = & auditpol.exe @arguments
  if ($LASTEXITCODE -ne 0) { throw ('auditpol /set failed for ' + $entry.name) }
  $changed += $entry.name
}
[ordered]@{ changed = $changed }`),
  verify: windowsPhase(`${REQUIRED_PS}
[ordered]@{ verified = ($failing.Count -eq 0); failing = @($failing | ForEach-Object { $_.name }) }`),
  captureState: windowsPhase(`${REQUIRED_PS}
$state = [ordered]@{}
foreach ($entry in $required) { $state[$entry.name] = $values[$entry.guid] }
[ordered]@{ auditSettingValues = $state }`),
  rollback: windowsPhase(`$backup = Join-Path (Get-StateDir) 'audit-backup.csv'
if (-not (Test-Path -LiteralPath $backup)) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
$null = & auditpol.exe /restore /file:$backup
if ($LASTEXITCODE -ne 0) { throw "auditpol /restore exited with code $LASTEXITCODE" }
[ordered]@{ rolledBack = $true }`),
  timeoutSeconds: 120,
  retries: { max: 2, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: true,
};
