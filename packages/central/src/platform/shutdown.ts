/**
 * One registry of things to stop on SIGTERM/SIGINT, closed in reverse order of registration
 * (HTTP drains before the database closes). A second signal, or the grace period running out,
 * exits at once.
 */
export function createShutdown(graceMs: number) {
  const steps: { name: string; close: () => Promise<unknown> }[] = [];
  let stopping = false;

  async function stop(log: (message: string) => void): Promise<void> {
    for (const step of [...steps].reverse()) {
      try {
        await step.close();
      } catch (error) {
        log(`shutdown: ${step.name} failed: ${(error as Error).message}`);
      }
    }
  }

  return {
    add(name: string, close: () => Promise<unknown>) {
      steps.push({ name, close });
    },
    listen(log: (message: string) => void) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.on(signal, () => {
          if (stopping) process.exit(1);
          stopping = true;
          log(`${signal}: shutting down`);
          setTimeout(() => process.exit(1), graceMs).unref();
          void stop(log).then(() => process.exit(0));
        });
      }
    },
  };
}
