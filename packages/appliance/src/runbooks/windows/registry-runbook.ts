import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { psQuote, windowsPhase } from './windows-script';

/** One registry DWORD a runbook enforces: acceptable when within [min, max] (or unset when `isUnsetOk`). */
interface RegistrySetting {
  path: string;
  name: string;
  min: number;
  max: number;
  /** PowerShell expression for the value written when the current one is not acceptable. */
  target: string;
  isUnsetOk?: boolean;
}

type Flags = Pick<
  RunbookDefinition,
  'timeoutSeconds' | 'retries' | 'disruptive' | 'requiresMaintenanceWindow' | 'requiresReboot' | 'allowConcurrent'
>;

interface RegistryRunbookSpec extends Flags {
  checkId: string;
  title: string;
  description: string;
  settings: readonly RegistrySetting[];
  params?: z.ZodObject;
}

function settingsPs(settings: readonly RegistrySetting[]): string {
  const rows = settings.map(
    (s) =>
      `  [ordered]@{ path = ${psQuote(s.path)}; name = ${psQuote(s.name)}; min = ${s.min}; max = ${s.max}; target = $(${s.target}); unsetOk = $${s.isUnsetOk ? 'true' : 'false'} }`,
  );
  return `$settings = @(
${rows.join('\n')}
)
function Test-Setting($Setting) {
  $value = Get-RegValue $Setting.path $Setting.name
  if ($null -eq $value) { return [bool]$Setting.unsetOk }
  return ($value -ge $Setting.min -and $value -le $Setting.max)
}`;
}

/**
 * A runbook that sets registry DWORDs: changes only values that are not acceptable, backs up the
 * previous values (or their absence) before the first change, and restores exactly those on rollback.
 */
export function registryRunbook(spec: RegistryRunbookSpec): RunbookDefinition {
  const prefix = settingsPs(spec.settings);
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'windows',
    checks: [spec.checkId],
    params: spec.params ?? z.strictObject({}),
    detect: windowsPhase(`${prefix}
$state = @($settings | ForEach-Object { [ordered]@{ name = $_.name; value = (Get-RegValue $_.path $_.name); ok = (Test-Setting $_) } })
[ordered]@{ needed = (@($state | Where-Object { -not $_.ok }).Count -gt 0); settings = $state }`),
    remediate: windowsPhase(`${prefix}
Save-Backup 'registry-backup.json' @($settings | ForEach-Object { [ordered]@{ path = $_.path; name = $_.name; value = (Get-RegValue $_.path $_.name) } })
$changed = @()
foreach ($setting in $settings) {
  if (-not (Test-Setting $setting)) {
    if (-not (Test-Path -LiteralPath $setting.path)) { $null = New-Item -Path $setting.path -Force }
    Set-ItemProperty -LiteralPath $setting.path -Name $setting.name -Value ([int]$setting.target) -Type DWord
    $changed += $setting.name
  }
}
[ordered]@{ changed = $changed }`),
    verify: windowsPhase(`${prefix}
$failing = @($settings | Where-Object { -not (Test-Setting $_) } | ForEach-Object { $_.name })
[ordered]@{ verified = ($failing.Count -eq 0); failing = $failing }`),
    captureState: windowsPhase(`${prefix}
[ordered]@{ registry = @($settings | ForEach-Object { [ordered]@{ key = ($_.path + '\\' + $_.name); value = (Get-RegValue $_.path $_.name) } }) }`),
    rollback: windowsPhase(`
$before = Read-Backup 'registry-backup.json'
if ($null -eq $before) { return [ordered]@{ rolledBack = $false; reason = 'no backup was taken' } }
foreach ($setting in @($before)) {
  if ($null -eq $setting.value) { Remove-ItemProperty -LiteralPath $setting.path -Name $setting.name -ErrorAction SilentlyContinue }
  else { Set-ItemProperty -LiteralPath $setting.path -Name $setting.name -Value ([int]$setting.value) -Type DWord }
}
[ordered]@{ rolledBack = $true; restored = @(@($before) | ForEach-Object { $_.name }) }`),
    timeoutSeconds: spec.timeoutSeconds,
    retries: spec.retries,
    disruptive: spec.disruptive,
    requiresMaintenanceWindow: spec.requiresMaintenanceWindow,
    requiresReboot: spec.requiresReboot,
    allowConcurrent: spec.allowConcurrent,
  };
}
