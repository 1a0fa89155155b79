import { spawn } from 'node:child_process';
import { createLimiter } from './limiter';
import { createOutputBuffer } from './output-buffer';
import { createRunRegistry, outputTooLargeError, runFailure, watchRun } from './run-control';
import { type RunOptions, type RunResult, type Target, TargetError } from './target';

export interface LocalTargetOptions {
  hostId: string;
  hostname: string;
  /** Scripts running at once on this machine; the rest wait in order. */
  maxConcurrent?: number;
}

const DEFAULT_MAX_CONCURRENT = 4;

/**
 * Collectors must not depend on the daemon's environment (its config overrides, proxies, secrets) and
 * must parse output in one locale, so a script sees only a fixed PATH and LC_ALL=C.
 */
const SCRIPT_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

/** After SIGKILL, how long to wait for the shell to be reaped before reporting the failure anyway. */
const REAP_GRACE_MS = 1_000;

/** Runs scripts on this machine as child processes of the daemon. */
export function createLocalTarget(options: LocalTargetOptions): Target {
  const { hostname } = options;
  const limiter = createLimiter(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
  const registry = createRunRegistry(hostname);

  return {
    hostId: options.hostId,
    hostname,
    kind: 'local',
    run: (script, runOptions) =>
      registry.track(async () => {
        const signal = registry.signalFor(runOptions.signal);
        try {
          return await limiter.run(() => runScript(hostname, script, runOptions, signal), signal);
        } catch (error) {
          throw runFailure(hostname, error, signal);
        }
      }),
    close: () => registry.close(),
  };
}

/** SIGKILL to the whole process group, so background children of the script die with it. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already empty.
  }
}

function runScript(hostname: string, script: string, options: RunOptions, signal: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    // detached: the shell leads a new session and process group, which is what killGroup() targets.
    const child = spawn('/bin/sh', ['-s'], { cwd: '/', env: SCRIPT_ENV, detached: true, stdio: 'pipe' });
    const output = createOutputBuffer(options.maxOutputBytes);
    let isSettled = false;
    let reapTimer: NodeJS.Timeout | undefined;

    const settle = (outcome: () => void): void => {
      if (isSettled) return;
      isSettled = true;
      watch.dispose();
      clearTimeout(reapTimer);
      outcome();
    };

    // Stop: kill everything, stop reading, and fail once the shell is reaped (or after a short grace,
    // in case a child that left the group keeps a pipe open) so callers never see it still running.
    let failure: TargetError | null = null;
    const stop = (error: TargetError): void => {
      if (failure || isSettled) return;
      failure = error;
      watch.dispose();
      killGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      reapTimer = setTimeout(() => settle(() => reject(error)), REAP_GRACE_MS);
    };
    const watch = watchRun({ hostname, timeoutMs: options.timeoutMs, signal }, stop);

    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (!output.push(stream, chunk)) stop(outputTooLargeError(hostname, options.maxOutputBytes));
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    // EPIPE when the script exits without reading all of itself (e.g. `exit` on line 1): not an error.
    child.stdin.on('error', () => undefined);

    child.on('error', (error) => {
      killGroup(child.pid);
      settle(() =>
        reject(
          failure ??
            new TargetError('FAILED', `cannot start /bin/sh on ${hostname}: ${error.message}`, { cause: error }),
        ),
      );
    });
    child.on('exit', () => {
      if (failure) settle(() => reject(failure));
    });
    child.on('close', (code) => {
      // Collectors must leave nothing behind: a background job that closed its output outlives the
      // shell otherwise. The group id cannot be reused while any member of the group is alive.
      killGroup(child.pid);
      if (failure) return settle(() => reject(failure));
      settle(() =>
        resolve({ ...output.text(), exitCode: code, durationMs: Math.round(performance.now() - startedAt) }),
      );
    });

    child.stdin.end(script);
  });
}
