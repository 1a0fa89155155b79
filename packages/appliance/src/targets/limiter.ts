/**
 * A FIFO promise concurrency limiter: at most `maxConcurrent` tasks run at once, the rest wait in
 * arrival order. Targets use it so a check cycle cannot open more processes or SSH channels on one
 * host than it can take (sshd's MaxSessions bounds channels per connection).
 */

export interface Limiter {
  /**
   * Waits for a free slot, then runs `task`; the slot is released when the task settles. A `signal`
   * that aborts while the task is still queued rejects with the signal's reason and the task never starts.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly activeCount: number;
  readonly pendingCount: number;
}

interface Waiter {
  start: () => void;
}

export function createLimiter(maxConcurrent: number): Limiter {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new RangeError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
  }
  let activeCount = 0;
  const queue: Waiter[] = [];

  const release = (): void => {
    activeCount -= 1;
    const next = queue.shift();
    if (next) {
      activeCount += 1;
      next.start();
    }
  };

  /** Resolves once a slot is held by the caller (who must call release exactly once). */
  const acquire = (signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (activeCount < maxConcurrent) {
      activeCount += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  return {
    async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      await acquire(signal);
      try {
        return await task();
      } finally {
        release();
      }
    },
    get activeCount() {
      return activeCount;
    },
    get pendingCount() {
      return queue.length;
    },
  };
}
