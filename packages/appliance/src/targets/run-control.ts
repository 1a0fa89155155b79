import { TargetError } from './target';

/**
 * The stop conditions every run shares, whatever the transport: the per-run timeout and the caller's
 * abort signal. `onStop` is called at most once, with the error the run should fail with.
 */
export function watchRun(
  params: { hostname: string; timeoutMs: number; signal: AbortSignal },
  onStop: (error: TargetError) => void,
): { dispose(): void } {
  let isDone = false;
  const stop = (error: TargetError): void => {
    if (isDone) return;
    isDone = true;
    dispose();
    onStop(error);
  };
  const timer = setTimeout(
    () => stop(new TargetError('TIMEOUT', `script on ${params.hostname} ran longer than ${params.timeoutMs} ms`)),
    params.timeoutMs,
  );
  const onAbort = (): void => stop(abortedError(params.hostname));
  params.signal.addEventListener('abort', onAbort, { once: true });
  function dispose(): void {
    isDone = true;
    clearTimeout(timer);
    params.signal.removeEventListener('abort', onAbort);
  }
  // Deferred so the caller has its handle before onStop can run.
  if (params.signal.aborted) queueMicrotask(onAbort);
  return { dispose };
}

export function abortedError(hostname: string): TargetError {
  return new TargetError('ABORTED', `run on ${hostname} was aborted`);
}

/**
 * What a run's unexpected failure becomes: a TargetError as it is, an abort as ABORTED, anything
 * else as FAILED with its message (the same for every kind of target).
 */
export function runFailure(hostname: string, error: unknown, signal: AbortSignal): TargetError {
  if (error instanceof TargetError) return error;
  if (signal.aborted) return abortedError(hostname);
  return new TargetError('FAILED', `cannot run a script on ${hostname}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** Socket error codes that mean a host cannot be reached at all, as opposed to a broken conversation. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function outputTooLargeError(hostname: string, maxOutputBytes: number): TargetError {
  return new TargetError('OUTPUT_TOO_LARGE', `script on ${hostname} printed more than ${maxOutputBytes} bytes`);
}

/**
 * Tracks the runs in flight so close() can abort them and wait until they are gone, and refuses new
 * runs once closing has begun (a daemon shutting down must not start another process on a host).
 */
export function createRunRegistry(hostname: string) {
  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  return {
    /** A signal that fires on the caller's abort or on close(). */
    signalFor(signal?: AbortSignal): AbortSignal {
      // A signal of its own per run, so queued runs do not pile listeners onto the closing signal.
      return AbortSignal.any(signal ? [signal, closing.signal] : [closing.signal]);
    },
    async track<T>(run: () => Promise<T>): Promise<T> {
      if (closing.signal.aborted) throw abortedError(hostname);
      const promise = run();
      inFlight.add(promise);
      try {
        return await promise;
      } finally {
        inFlight.delete(promise);
      }
    },
    get isClosing(): boolean {
      return closing.signal.aborted;
    },
    async close(): Promise<void> {
      closing.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
