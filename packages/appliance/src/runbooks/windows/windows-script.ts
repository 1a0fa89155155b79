import { psScript } from '../../checks/windows/powershell';

/**
 * Runbook phases for Windows are PowerShell that prints one JSON object (ConvertTo-Json -Compress
 * -Depth 4): detect `{"needed": bool}`, verify `{"verified": bool}`, remediate `{"changed": [...]}`,
 * rollback `{"rolledBack": bool}`, captureState the settings it touches. A thrown error prints
 * `{"collectorError": "..."}` and exits 1.
 *
 * Backups for rollback go to $env:RB_STATE_DIR (set per execution by the executor's prelude);
 * `Get-StateDir` falls back to ProgramData when a script runs by hand.
 */
const STATE_DIR_PS = `function Get-StateDir {
  $dir = $env:RB_STATE_DIR
  if (-not $dir) { $dir = Join-Path $env:ProgramData 'OsirisCare\\runbooks\\manual' }
  $null = New-Item -ItemType Directory -Path $dir -Force
  return $dir
}
function Save-Backup([string]$Name, $Value) {
  $file = Join-Path (Get-StateDir) $Name
  if (-not (Test-Path -LiteralPath $file)) { Out-Json $Value | Set-Content -LiteralPath $file -Encoding UTF8 }
}
function Read-Backup([string]$Name) {
  $file = Join-Path (Get-StateDir) $Name
  if (-not (Test-Path -LiteralPath $file)) { return $null }
  return (Get-Content -LiteralPath $file -Raw | ConvertFrom-Json)
}`;

/** A runbook phase: the shared helpers, then `body`, whose last value is printed as JSON. */
export function windowsPhase(body: string): string {
  return psScript(`${STATE_DIR_PS}\n${body.trim()}`);
}

/** A PowerShell single-quoted literal. */
export const psQuote = (text: string): string => `'${text.replace(/'/g, "''")}'`;
