import type { BaseLogger } from 'pino';

const STOP_TIMEOUT_MS = 10_000;

/**
 * A background loop: one round at a time, every intervalMs, again at once after wake() or when a
 * round says there is more to do. stop() waits (bounded) for the round in flight.
 */
export function createWorkerLoop(options: {
  log: Pick<BaseLogger, 'warn'>;
  intervalMs: number;
  /** Runs one round; true when it stopped at its batch limit (more is waiting). */
  round: () => Promise<boolean>;
}) {
  let isRunning = false;
  let isWoken = false;
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function schedule(delayMs: number) {
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
    timer.unref();
  }

  function run() {
    if (!isRunning) return;
    if (current) {
      isWoken = true;
      return;
    }
    clearTimeout(timer);
    isWoken = false;
    let isBusy = false;
    current = options
      .round()
      .then((more) => {
        isBusy = more;
      })
      .catch((error: unknown) => options.log.warn({ error: (error as Error).message }, 'notification round failed'))
      .finally(() => {
        current = undefined;
        if (isRunning) schedule(isWoken || isBusy ? 0 : options.intervalMs);
      });
  }

  return {
    wake: run,
    start() {
      if (isRunning) return;
      isRunning = true;
      run();
    },
    async stop() {
      isRunning = false;
      clearTimeout(timer);
      if (!current) return;
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise((resolve) => (bound = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
      clearTimeout(bound);
    },
  };
}
