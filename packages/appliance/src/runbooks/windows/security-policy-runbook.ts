import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { psQuote, windowsPhase } from './windows-script';

/** A [System Access] key a runbook enforces: acceptable within [min, max], or one of `alsoOk`, or unset when `isUnsetOk`. */
interface PolicySetting {
  key: string;
  min: number;
  max: number;
  target: number;
  alsoOk?: readonly number[];
  isUnsetOk?: boolean;
}

type Flags = Pick<
  RunbookDefinition,
  'timeoutSeconds' | 'retries' | 'disruptive' | 'requiresMaintenanceWindow' | 'requiresReboot' | 'allowConcurrent'
>;

interface SecurityPolicyRunbookSpec extends Flags {
  checkId: string;
  title: string;
  description: string;
  settings: readonly PolicySetting[];
}

/** Reads [System Access] with secedit /export and applies a template of keys with secedit /configure. */
function prefixPs(settings: readonly PolicySetting[]): string {
  const rows = settings.map(
    (s) =>
      `  [ordered]@{ key = ${psQuote(s.key)}; min = ${s.min}; max = ${s.max}; target = ${s.target}; alsoOk = @(${(s.alsoOk ?? []).join(', ')}); unsetOk = $${s.isUnsetOk ? 'true' : 'false'} }`,
  );
  return `$settings = @(
${rows.join('\n')}
)
function Get-SystemAccess {
  $file = Join-Path (Get-StateDir) ('export-' + [guid]::NewGuid().ToString('N') + '.inf')
  $values = @{}
  try {
    $null = & secedit.exe /export /cfg $file /areas SECURITYPOLICY /quiet
    if ($LASTEXITCODE -ne 0) { throw "secedit /export exited with code $LASTEXITCODE" }
    $section = ''
    foreach ($line in Get-Content -LiteralPath $file) {
      if ($line -match '^\\s*\\[(.+)\\]\\s*$') { $section = $Matches[1]; continue }
      if ($section -eq 'System Access' -and $line -match '^\\s*(\\w+)\\s*=\\s*(-?\\d+)\\s*$') { $values[$Matches[1]] = [int]$Matches[2] }
    }
  } finally { Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue }
  return $values
}
function Test-Policy($Setting, $Values) {
  if (-not $Values.ContainsKey($Setting.key)) { return [bool]$Setting.unsetOk }
  $value = $Values[$Setting.key]
  return (($value -ge $Setting.min -and $value -le $Setting.max) -or ($Setting.alsoOk -contains $value))
}
function Set-SystemAccess($Pairs) {
  $dir = Get-StateDir
  $id = [guid]::NewGuid().ToString('N')
  $inf = Join-Path $dir ('apply-' + $id + '.inf')
  $db = Join-Path $dir ('apply-' + $id + '.sdb')
  $lines = @('[Unicode]', 'Unicode=yes', '[System Access]')
  foreach ($key in $Pairs.Keys) { $lines += ($key + ' = ' + $Pairs[$key]) }
  $lines += @('[Version]', 'signature="$CHICAGO$"', 'Revision=1')
  Set-Content -LiteralPath $inf -Value $lines -Encoding Unicode
  try {
    $null = & secedit.exe /configure /db $db /cfg $inf /areas SECURITYPOLICY /quiet
    if ($LASTEXITCODE -ne 0) { throw "secedit /configure exited with code $LASTEXITCODE" }
  } finally { Remove-Item -LiteralPath $inf, $db -Force -ErrorAction SilentlyContinue }
}`;
}

/**
 * A runbook that sets local security policy ([System Access]) with secedit: only the keys that are
 * not acceptable, with the previous values kept for rollback. On a domain member a Group Policy
 * setting wins at the next refresh; verify then fails and the incident escalates.
 */
export function securityPolicyRunbook(spec: SecurityPolicyRunbookSpec): RunbookDefinition {
  const prefix = prefixPs(spec.settings);
  const keys = spec.settings.map((s) => s.key);
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'windows',
    checks: [spec.checkId],
    params: z.strictObject({}),
    detect: windowsPhase(`${prefix}
$values = Get-SystemAccess
$failing = @($settings | Where-Object { -not (Test-Policy $_ $values) } | ForEach-Object { $_.key })
[ordered]@{ needed = ($failing.Count -gt 0); failing = $failing }`),
    remediate: windowsPhase(`${prefix}
$values = Get-SystemAccess
$before = [ordered]@{}
$fixes = [ordered]@{}
foreach ($setting in $settings) {
  if (-not (Test-Policy $setting $values)) {
    $before[$setting.key] = $values[$setting.key]
    $fixes[$setting.key] = $setting.target
  }
}
Save-Backup 'policy-backup.json' $before
if ($fixes.Count -gt 0) { Set-SystemAccess $fixes }
[ordered]@{ changed = @($fixes.Keys) }`),
    verify: windowsPhase(`${prefix}
$values = Get-SystemAccess
$failing = @($settings | Where-Object { -not (Test-Policy $_ $values) } | ForEach-Object { $_.key })
[ordered]@{ verified = ($failing.Count -eq 0); failing = $failing }`),
    captureState: windowsPhase(`${prefix}
$values = Get-SystemAccess
$state = [ordered]@{}
foreach ($key in @(${keys.map(psQuote).join(', ')})) { $state[$key] = $values[$key] }
[ordered]@{ systemAccess = $state }`),
    rollback: windowsPhase(`${prefix}
$before = Read-Backup 'policy-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
$pairs = [ordered]@{}
foreach ($property in $before.PSObject.Properties) { if ($null -ne $property.Value) { $pairs[$property.Name] = $property.Value } }
if ($pairs.Count -gt 0) { Set-SystemAccess $pairs }
[ordered]@{ rolledBack = $true; restored = @($pairs.Keys) }`),
    timeoutSeconds: spec.timeoutSeconds,
    retries: spec.retries,
    disruptive: spec.disruptive,
    requiresMaintenanceWindow: spec.requiresMaintenanceWindow,
    requiresReboot: spec.requiresReboot,
    allowConcurrent: spec.allowConcurrent,
  };
}
