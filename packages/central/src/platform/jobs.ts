import type { FastifyBaseLogger } from 'fastify';

export interface Job {
  /** For logs, e.g. `exceptions.expire`. */
  name: string;
  everyMs: number;
  /** Returns how many items it handled (logged when > 0). Must be safe to run on several instances at once. */
  run: () => Promise<number>;
}

/**
 * Central's periodic jobs (exception expiry, SLA breaches, score snapshots, …). Each job runs on its
 * own timer, never overlapping itself; a failing run is logged and the next one comes on schedule.
 * `stop()` waits for runs in progress, so the database can close after it.
 */
export function createJobRunner(log: FastifyBaseLogger, jobs: readonly Job[]) {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  const busy = new Set<string>();
  let stopped = false;

  async function runOnce(job: Job): Promise<void> {
    if (busy.has(job.name) || stopped) return;
    busy.add(job.name);
    try {
      const handled = await job.run();
      if (handled > 0) log.info({ job: job.name, handled }, 'job ran');
    } catch (error) {
      log.warn({ err: error, job: job.name }, 'job failed; it runs again on schedule');
    } finally {
      busy.delete(job.name);
    }
  }

  function launch(job: Job): void {
    const run = runOnce(job).finally(() => running.delete(run));
    running.add(run);
  }

  return {
    start(): void {
      for (const job of jobs) {
        launch(job);
        const timer = setInterval(() => launch(job), job.everyMs);
        timer.unref();
        timers.push(timer);
      }
    },
    /** Runs every job now, once (tests and `run-now` tooling); waits for them. */
    async runAll(): Promise<void> {
      await Promise.all(jobs.map((job) => runOnce(job)));
    },
    async stop(): Promise<void> {
      stopped = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
