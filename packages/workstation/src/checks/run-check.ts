import type { CommandRunner } from '../command-runner';
import { type AgentOs, type CheckParams, type Evaluation, unsupported } from './check';
import { capabilityById } from './registry';

export interface CheckRun extends Evaluation {
  checkId: string;
  hipaa: readonly string[];
  detectedAt: Date;
  durationMs: number;
}

export interface CheckRunnerDeps {
  os: AgentOs | 'other';
  run: CommandRunner;
  now?: () => Date;
}

/**
 * Runs one check: collects through the command runner, then evaluates. Never throws: an unknown
 * check or an OS without an implementation is UNSUPPORTED, a collector crash is ERROR.
 */
export async function runCheck(deps: CheckRunnerDeps, checkId: string, params: CheckParams = {}): Promise<CheckRun> {
  const now = deps.now ?? (() => new Date());
  const detectedAt = now();
  const started = performance.now();
  const capability = capabilityById(checkId);
  const finish = (evaluation: Evaluation): CheckRun => ({
    ...evaluation,
    checkId,
    hipaa: capability?.hipaa ?? [],
    detectedAt,
    durationMs: Math.round(performance.now() - started),
  });
  if (!capability)
    return finish(unsupported('UNKNOWN_CHECK', `this agent has no check "${checkId}"`, 'a check this agent knows'));
  const platform = deps.os === 'other' ? undefined : capability.platforms[deps.os];
  if (!platform) {
    return finish(
      unsupported('UNSUPPORTED_PLATFORM', `${capability.title} is not checked on ${deps.os}`, capability.title),
    );
  }
  try {
    const collected = await platform.collect(deps.run, params);
    return finish(platform.evaluate(collected, params, now()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return finish({
      status: 'ERROR',
      expected: capability.title,
      actual: 'the collector failed',
      observed: {},
      error: { code: 'COLLECTOR_FAILED', message: message.slice(0, 1000) },
    });
  }
}

/** The OS family of this process's platform. */
export const currentOs = (platform: NodeJS.Platform = process.platform): AgentOs | 'other' =>
  platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : platform === 'linux' ? 'linux' : 'other';
