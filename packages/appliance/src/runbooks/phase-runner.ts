import { createHash } from 'node:crypto';
import { type Target, TargetError, type TargetErrorCode } from '../targets/target';

export type PhaseName =
  | 'distro'
  | 'detect'
  | 'capture_before'
  | 'remediate'
  | 'check'
  | 'verify'
  | 'rollback'
  | 'capture_after';

/** One script run of an execution, as evidence keeps it: outputs only as digests. */
export interface PhaseRecord {
  name: PhaseName;
  /** Remediation attempt the phase belongs to (0 before the first one). */
  attempt: number;
  exitCode: number | null;
  stdoutSha256: string;
  durationMs: number;
  /** Why the script could not run to the end, when it could not. */
  targetError?: TargetErrorCode;
  checkId?: string;
  checkStatus?: 'pass' | 'fail' | 'error' | 'excepted';
}

export interface PhaseResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  error: TargetError | null;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

interface PhaseRunnerOptions {
  target: Target;
  /** Parameter and state-directory variables put in front of every runbook script. */
  prelude: string;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** Where each run is recorded. */
  phases: PhaseRecord[];
}

/** Runs runbook scripts on the target and records them; never throws for what the host does. */
export function createPhaseRunner(options: PhaseRunnerOptions) {
  const { target, timeoutMs, maxOutputBytes, signal, phases } = options;
  return {
    async run(name: PhaseName, attempt: number, script: string, withPrelude = true): Promise<PhaseResult> {
      const started = Date.now();
      const text = withPrelude ? options.prelude + script : script;
      try {
        const run = await target.run(text, { timeoutMs, maxOutputBytes, signal });
        const durationMs = Date.now() - started;
        phases.push({ name, attempt, exitCode: run.exitCode, stdoutSha256: sha256Hex(run.stdout), durationMs });
        return { ok: run.exitCode === 0, stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode, error: null };
      } catch (caught) {
        const error =
          caught instanceof TargetError
            ? caught
            : new TargetError('FAILED', (caught as Error)?.message ?? String(caught));
        const durationMs = Date.now() - started;
        phases.push({
          name,
          attempt,
          exitCode: null,
          stdoutSha256: sha256Hex(''),
          durationMs,
          targetError: error.code,
        });
        return { ok: false, stdout: '', stderr: error.message, exitCode: null, error };
      }
    },

    /** Why a phase did not succeed, in one sentence with the last lines the script wrote to stderr. */
    describe(label: string, result: PhaseResult): string {
      if (result.error)
        return `${label} could not finish on ${target.hostname} (${result.error.code}): ${result.error.message}`;
      const stderr = result.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
      return `${label} exited with code ${result.exitCode}${stderr ? `: ${stderr}` : ''}`;
    },
  };
}
export type PhaseRunner = ReturnType<typeof createPhaseRunner>;
