import { z } from 'zod';
import type { JsonValue } from '../../check';
import { psScript } from '../powershell';

/**
 * One collector for the checks that read local security policy: `secedit /export` writes an INF
 * file whose [System Access] section has locale-independent keys (MinimumPasswordLength = 14,
 * LockoutBadCount = 5, EnableGuestAccount = 0 …). Only that section is returned.
 */
export const SECURITY_POLICY_COLLECTOR = psScript(`
$file = Join-Path $env:TEMP ('osiris-secpol-' + [guid]::NewGuid().ToString('N') + '.inf')
$values = [ordered]@{}
try {
  $null = & secedit.exe /export /cfg $file /areas SECURITYPOLICY /quiet
  if ($LASTEXITCODE -ne 0) { throw "secedit /export exited with code $LASTEXITCODE" }
  $section = ''
  foreach ($line in Get-Content -LiteralPath $file) {
    if ($line -match '^\\s*\\[(.+)\\]\\s*$') { $section = $Matches[1]; continue }
    if ($section -eq 'System Access' -and $line -match '^\\s*(\\w+)\\s*=\\s*(.*?)\\s*$') { $values[$Matches[1]] = $Matches[2] }
  }
} finally {
  Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
}
[ordered]@{ systemAccess = $values }
`);

export const SecurityPolicy = z.strictObject({
  systemAccess: z
    .record(z.string().regex(/^\w{1,60}$/), z.string().max(200))
    .refine((r) => Object.keys(r).length <= 60),
});
export type SecurityPolicy = z.infer<typeof SecurityPolicy>;

/** An integer setting of [System Access]: `null` when the key is absent, `undefined` when it is not an integer. */
export function policyInteger(policy: SecurityPolicy, key: string): number | null | undefined {
  const raw = policy.systemAccess[key];
  if (raw === undefined) return null;
  return /^-?\d{1,10}$/.test(raw) ? Number(raw) : undefined;
}

/** The named integer settings, for `observed` (absent keys as null). */
export function policyObserved(policy: SecurityPolicy, keys: readonly string[]): Record<string, JsonValue> {
  return Object.fromEntries(keys.map((key) => [key, policyInteger(policy, key) ?? null]));
}
