import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';
import { AUDIT_FAILURE, AUDIT_SUCCESS, REQUIRED_AUDIT_SUBCATEGORIES } from './audit-subcategories';

const ID = 'windows.audit.policy-subcategories';

/**
 * `auditpol /backup` writes CSV with the columns Machine Name, Policy Target, Subcategory,
 * Subcategory GUID, Inclusion Setting, Exclusion Setting, Setting Value; the numeric Setting Value
 * and the GUID do not depend on the display language, unlike `auditpol /get` text.
 */
const COLLECTOR = psScript(`
$file = Join-Path $env:TEMP ('osiris-audit-' + [guid]::NewGuid().ToString('N') + '.csv')
try {
  $null = & auditpol.exe /backup /file:$file
  if ($LASTEXITCODE -ne 0) { throw "auditpol /backup exited with code $LASTEXITCODE" }
  $rows = @(Import-Csv -LiteralPath $file | Where-Object { $_.'Subcategory GUID' -match '^\\{[0-9A-Fa-f-]{36}\\}$' })
} finally {
  Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
}
$subcategories = @($rows | ForEach-Object {
  [ordered]@{ guid = $_.'Subcategory GUID'.ToUpperInvariant(); name = [string]$_.Subcategory; value = [int]$_.'Setting Value' }
})
[ordered]@{ subcategories = $subcategories }
`);

const Output = z.strictObject({
  subcategories: z
    .array(
      z.strictObject({
        guid: z.string().regex(/^\{[0-9A-F-]{36}\}$/),
        name: z.string().max(120),
        value: z.number().int().min(0).max(3),
      }),
    )
    .max(100),
});

const describeBits = (bits: number): string =>
  bits === (AUDIT_SUCCESS | AUDIT_FAILURE)
    ? 'Success and Failure'
    : bits === AUDIT_SUCCESS
      ? 'Success'
      : bits === AUDIT_FAILURE
        ? 'Failure'
        : 'No Auditing';

/** auditpol /backup lists every subcategory; one it leaves out is treated as No Auditing, as the runbook does. */
function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  if (parsed.data.subcategories.length === 0)
    return errorEvaluation('auditpol reported no audit subcategories at all.');
  const byGuid = new Map(parsed.data.subcategories.map((s) => [s.guid, s.value]));
  const settingOf = (guid: string): number => byGuid.get(guid) ?? 0;
  const observed = Object.fromEntries(
    REQUIRED_AUDIT_SUBCATEGORIES.map((r) => [r.name, describeBits(settingOf(r.guid))]),
  );
  const weak = REQUIRED_AUDIT_SUBCATEGORIES.filter((r) => (settingOf(r.guid) & r.bits) !== r.bits).map(
    (r) => `${r.name} (${describeBits(settingOf(r.guid))}, needs ${describeBits(r.bits)})`,
  );
  if (weak.length > 0) return { status: 'fail', reason: `Audit policy does not record ${weak.join(', ')}.`, observed };
  return {
    status: 'pass',
    reason: `All ${REQUIRED_AUDIT_SUBCATEGORIES.length} required audit subcategories record the events they must.`,
    observed,
  };
}

export const auditPolicy: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
