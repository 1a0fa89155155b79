import type { CheckRunResult } from '../evidence/evidence-writer';
import { type Target, TargetError } from '../targets/target';
import type { Evaluation, LinuxCheck } from './check';

export interface RunCheckOptions {
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  now?: () => Date;
}

/** What a person is told when the script could not be run to the end; the cycle goes on. */
function describeTargetError(error: TargetError, target: Target, options: RunCheckOptions): string {
  switch (error.code) {
    case 'TIMEOUT':
      return `The collector did not finish within ${Math.round(options.timeoutMs / 1000)} s on ${target.hostname} and was stopped.`;
    case 'OUTPUT_TOO_LARGE':
      return `The collector printed more than ${options.maxOutputBytes} bytes on ${target.hostname}; the output was discarded.`;
    case 'UNREACHABLE':
      return `${target.hostname} could not be reached: ${error.message}`;
    case 'HOST_KEY_CHANGED':
      return `${target.hostname} presented a different ${target.kind === 'winrm' ? 'TLS certificate' : 'SSH host key'} than the one pinned; refused to connect. ${error.message}`;
    case 'AUTH_FAILED':
      return `${target.hostname} refused the appliance's credentials: ${error.message}`;
    case 'ABORTED':
      return `The run on ${target.hostname} was stopped because the appliance is shutting down.`;
    default:
      return `The collector could not be run on ${target.hostname}: ${error.message}`;
  }
}

/**
 * Runs one check on one target: collector on the host, evaluator here. Never throws for anything
 * the host does; a failure to collect becomes a result with status `error` and a clear reason.
 */
export async function runCheck(target: Target, check: LinuxCheck, options: RunCheckOptions): Promise<CheckRunResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const timeoutMs = Math.max(options.timeoutMs, (check.timeoutSeconds ?? 0) * 1000);
  const base = { hostId: target.hostId, hostname: target.hostname, checkId: check.id, startedAt };
  let output: { stdout: string; exitCode: number };
  try {
    const run = await target.run(check.collector, {
      timeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      signal: options.signal,
    });
    if (run.exitCode === null) {
      const reason = `The collector on ${target.hostname} ended without an exit status.`;
      return {
        ...base,
        status: 'error',
        reason,
        observed: {},
        evaluatorInput: { error: 'NO_EXIT_STATUS' },
        finishedAt: now(),
      };
    }
    output = { stdout: run.stdout, exitCode: run.exitCode };
  } catch (error) {
    const targetError =
      error instanceof TargetError ? error : new TargetError('FAILED', (error as Error)?.message ?? String(error));
    const reason = describeTargetError(targetError, target, { ...options, timeoutMs });
    return {
      ...base,
      status: 'error',
      reason,
      observed: { targetError: targetError.code },
      evaluatorInput: { error: targetError.code },
      finishedAt: now(),
    };
  }
  let evaluation: Evaluation;
  try {
    evaluation = check.evaluate(output);
  } catch (error) {
    // Evaluators must not throw; if one does, the run is still recorded, as an error.
    evaluation = {
      status: 'error',
      reason: `The evaluator failed on this output: ${(error as Error)?.message ?? String(error)}`,
      observed: {},
    };
  }
  return {
    ...base,
    status: evaluation.status,
    reason: evaluation.reason,
    observed: evaluation.observed,
    evaluatorInput: output,
    finishedAt: now(),
  };
}
