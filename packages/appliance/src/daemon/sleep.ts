/** Waits `ms`, or less if `signal` aborts or `wake` is called; never rejects. */
export function createWaiter() {
  let wakeUp: (() => void) | null = null;
  return {
    wait(ms: number, signal: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        if (signal.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wakeUp = null;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        signal.addEventListener('abort', done, { once: true });
        wakeUp = done;
      });
    },
    /** Ends the current wait early (e.g. new evidence to upload). */
    wake(): void {
      wakeUp?.();
    },
  };
}
