import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.patch.critical-updates';
/** IUpdateSearcher::Search ResultCode (OperationResultCode): 2 succeeded, 3 succeeded with errors. */
const SEARCH_SUCCEEDED = [2, 3];

/** The Windows Update Agent API (Microsoft.Update.Session); searching works over WinRM, installing does not. */
const COLLECTOR = psScript(`
$session = New-Object -ComObject Microsoft.Update.Session
$searcher = $session.CreateUpdateSearcher()
$found = $searcher.Search("IsInstalled=0 and Type='Software' and IsHidden=0")
$all = @(foreach ($update in $found.Updates) {
  [ordered]@{ title = [string]$update.Title; severity = [string]$update.MsrcSeverity; kb = (@($update.KBArticleIDs) -join ',') }
})
[ordered]@{
  resultCode = [int]$found.ResultCode
  pendingCount = $all.Count
  criticalCount = @($all | Where-Object { $_.severity -eq 'Critical' }).Count
  updates = @($all | Select-Object -First 30)
}
`);

const Output = z.strictObject({
  resultCode: z.number().int().min(0).max(5),
  pendingCount: z.number().int().min(0),
  criticalCount: z.number().int().min(0),
  updates: z
    .array(z.strictObject({ title: z.string().max(400), severity: z.string().max(20), kb: z.string().max(200) }))
    .max(30),
});

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const { resultCode, pendingCount, criticalCount, updates } = parsed.data;
  const critical = updates
    .filter((u) => u.severity === 'Critical')
    .map((u) => (u.kb ? `KB${u.kb}` : u.title.slice(0, 80)));
  const observed = { resultCode, pendingCount, criticalCount, critical: critical.slice(0, 20) };
  if (!SEARCH_SUCCEEDED.includes(resultCode)) {
    return errorEvaluation(`The Windows Update search did not succeed (result code ${resultCode}).`, observed);
  }
  if (criticalCount > 0) {
    return {
      status: 'fail',
      reason: `${criticalCount} critical update(s) are not installed: ${critical.slice(0, 5).join(', ')}.`,
      observed,
    };
  }
  return { status: 'pass', reason: `No critical updates are pending (${pendingCount} other update(s) are).`, observed };
}

export const criticalUpdates: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate, timeoutSeconds: 600 };
