import type { CommandOutput, CommandRunner } from '../command-runner';

export type AgentOs = 'linux' | 'windows' | 'macos';
export type CheckOutcome = 'PASS' | 'FAIL' | 'ERROR' | 'UNSUPPORTED';

/** What an evaluator decided, a pure function of the collected outputs. */
export interface Evaluation {
  status: CheckOutcome;
  observed: Record<string, string>;
  expected: string;
  actual: string;
  /** Set for ERROR and UNSUPPORTED. */
  error?: { code: string; message: string };
}

/** Raw command outputs a collector gathered, by name. Evaluators read only this. */
export type Collected = Record<string, CommandOutput>;

export type CheckParams = Readonly<Record<string, string>>;

/** One capability on one OS: how to collect, and how to judge what was collected. */
export interface PlatformCheck {
  collect(run: CommandRunner, params: CheckParams): Promise<Collected>;
  evaluate(collected: Collected, params: CheckParams, now: Date): Evaluation;
}

/** A capability (disk encryption, firewall, …) with its implementation per OS. */
export interface CheckCapability {
  /** Wire id, lowercase snake case (`CheckSetting.check_id`). */
  id: string;
  title: string;
  /** HIPAA Security Rule citations, ids of `HIPAA_CONTROLS` in @osiris/protocol. */
  hipaa: readonly string[];
  platforms: Partial<Record<AgentOs, PlatformCheck>>;
}

export const evaluation = (
  status: CheckOutcome,
  expected: string,
  actual: string,
  observed: Record<string, string> = {},
): Evaluation => ({ status, expected, actual, observed });

export const errorEvaluation = (code: string, message: string, expected: string): Evaluation => ({
  status: 'ERROR',
  expected,
  actual: message,
  observed: {},
  error: { code, message },
});

export const unsupported = (code: string, message: string, expected: string): Evaluation => ({
  status: 'UNSUPPORTED',
  expected,
  actual: message,
  observed: {},
  error: { code, message },
});

/**
 * The common failure modes of one collected command: missing program, timeout, non-zero exit.
 * Returns undefined when the output can be parsed.
 */
export function commandProblem(
  output: CommandOutput | undefined,
  what: string,
  expected: string,
  okExitCodes: readonly number[] = [0],
): Evaluation | undefined {
  if (!output) return errorEvaluation('COLLECTOR_OUTPUT_MISSING', `no output collected for ${what}`, expected);
  if (output.isMissing) return errorEvaluation('COMMAND_NOT_FOUND', `${what}: program not found`, expected);
  if (output.isTimedOut) return errorEvaluation('COMMAND_TIMEOUT', `${what}: timed out`, expected);
  if (output.exitCode === null || !okExitCodes.includes(output.exitCode)) {
    const detail = (output.stderr || output.stdout).trim().slice(0, 300);
    return errorEvaluation('COMMAND_FAILED', `${what}: exit ${output.exitCode ?? 'signal'}: ${detail}`, expected);
  }
  return undefined;
}

/** Parses JSON text, or undefined. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

/** A collector that runs one command under one name. */
export const single =
  (name: string, file: string, args: readonly string[], timeoutMs = 30_000): PlatformCheck['collect'] =>
  async (run) => ({ [name]: await run(file, args, { timeoutMs }) });
