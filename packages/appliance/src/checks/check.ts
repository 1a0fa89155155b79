/**
 * A check is two parts (ARCHITECTURE.md §4): a collector script the appliance runs on a target
 * with /bin/sh, and an evaluator that is a pure function of what the script printed.
 * The catalog entry with the same id (titles, severity, mappings) lives in @osiris/protocol.
 */

/** A JSON value, as stored in the evidence bundle's `observed`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What the collector produced: the evaluator's whole input (its digest goes into the evidence). */
export interface CollectorOutput {
  stdout: string;
  exitCode: number;
}

type EvaluationStatus = 'pass' | 'fail' | 'error';

export interface Evaluation {
  status: EvaluationStatus;
  /** One sentence a person understands: why it passed, what is wrong, or why it could not be judged. */
  reason: string;
  /** The facts the verdict rests on, as JSON (at most ~60 keys, a few KiB; lists truncated with a count). */
  observed: Record<string, JsonValue>;
}

export interface LinuxCheck {
  /** Catalog id, e.g. `linux.ssh.permit-root-login`. */
  id: string;
  /** POSIX sh script; read-only; must finish in seconds; prints what `evaluate` parses. */
  collector: string;
  /**
   * For collectors that legitimately take long (whole-disk scans): the run may last this long even
   * when the appliance's `checks.commandTimeoutSeconds` is shorter.
   */
  timeoutSeconds?: number;
  /** Pure: same input, same result. Never throws; garbage in gives status `error` with a reason. */
  evaluate(output: CollectorOutput): Evaluation;
}

/**
 * A Windows check has the same shape; its `collector` is PowerShell (run over WinRM or by the
 * workstation agent) that prints one JSON object, and `evaluate` parses that object with zod.
 */
export type WindowsCheck = LinuxCheck;

/** The verdict for output a check cannot judge: status `error`, with the reason and what was seen. */
export function errorEvaluation(reason: string, observed: Record<string, JsonValue> = {}): Evaluation {
  return { status: 'error', reason, observed };
}
