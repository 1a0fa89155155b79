import { CHECK_CAPABILITIES } from './checks/registry';
import { type CheckRun, type CheckRunnerDeps, runCheck } from './checks/run-check';

export interface DryRunCheck {
  check_id: string;
  params?: Record<string, string>;
}

/** One line per check: status, id, HIPAA controls, expected and actual, observed values. */
export function formatCheckRun(run: CheckRun): string {
  const lines = [
    `${run.status.padEnd(11)} ${run.checkId}  [HIPAA ${run.hipaa.join(', ') || '-'}]`,
    `            expected: ${run.expected}`,
    `            actual:   ${run.actual}`,
  ];
  if (run.error) lines.push(`            error:    ${run.error.code}: ${run.error.message}`);
  const observed = Object.entries(run.observed);
  if (observed.length > 0) lines.push(`            observed: ${observed.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  return lines.join('\n');
}

/** Runs every given check (default: all known) once, one after another; never connects anywhere. */
export async function dryRun(deps: CheckRunnerDeps, checks?: readonly DryRunCheck[]): Promise<CheckRun[]> {
  const list: readonly DryRunCheck[] = checks ?? CHECK_CAPABILITIES.map((capability) => ({ check_id: capability.id }));
  const runs: CheckRun[] = [];
  for (const check of list) runs.push(await runCheck(deps, check.check_id, check.params ?? {}));
  return runs;
}
