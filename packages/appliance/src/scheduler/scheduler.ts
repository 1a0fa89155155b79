import type { LinuxCheck } from '../checks/check';
import type { Target } from '../targets/target';

/** A check as scheduled: its implementation and how often it runs. */
export interface ScheduledCheckPlan {
  check: LinuxCheck;
  intervalSeconds: number;
}

export interface SchedulerDeps {
  /** The current targets; read again on every reconcile. */
  targets: () => readonly Target[];
  /** The enabled checks with their intervals; read again on every reconcile. */
  plan: () => readonly ScheduledCheckPlan[];
  /** Whether a check runs on a target at all (Windows checks on WinRM targets only); default: every check. */
  appliesTo?: (target: Target, check: LinuxCheck) => boolean;
  /** Runs one check on one target to the end (result stored); must not throw for host problems. */
  runOne: (target: Target, check: LinuxCheck, signal: AbortSignal) => Promise<void>;
  /** Hosts worked on at the same time. */
  maxConcurrentTargets: number;
  /** Checks running at the same time on one host. */
  maxConcurrentPerTarget: number;
  /** Fraction of the interval each run is moved by, at random (0..0.5). */
  jitter: number;
  /** New jobs start within this many ms (spread at random), not all at once. */
  initialSpreadMs?: number;
  now?: () => number;
  random?: () => number;
  /** Called when runOne throws (a bug or a storage failure): the job is retried next interval. */
  onRunFailed?: (error: unknown, target: Target, check: LinuxCheck) => void;
}

interface Job {
  key: string;
  target: Target;
  check: LinuxCheck;
  intervalMs: number;
  nextDueAt: number;
  running: boolean;
  /** run-now arrived while running: run again right after. */
  rerun: boolean;
  runs: number;
}

const MAX_SLEEP_MS = 1_000;
const jobKey = (hostId: string, checkId: string) => `${hostId}\u0000${checkId}`;

/**
 * Per-check, per-host schedule (ARCHITECTURE.md §4 "scheduler"): each job runs every interval
 * ± jitter; a job never overlaps itself (never two runs of the same check on the same host); hosts
 * and per-host runs are bounded; run-now moves matching jobs to now (or right after the current run).
 */
export function createScheduler(deps: SchedulerDeps) {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const spread = deps.initialSpreadMs ?? 10_000;
  const jobs = new Map<string, Job>();
  const inFlight = new Set<Promise<void>>();
  const cycleWaiters: { pending: Set<string>; after: number; resolve: () => void }[] = [];
  let abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  const jittered = (intervalMs: number) => intervalMs * (1 + deps.jitter * (2 * random() - 1));

  function reconcile(): void {
    const wanted = new Map<string, { target: Target; plan: ScheduledCheckPlan }>();
    for (const target of deps.targets())
      for (const plan of deps.plan())
        if (deps.appliesTo?.(target, plan.check) ?? true)
          wanted.set(jobKey(target.hostId, plan.check.id), { target, plan });
    for (const [key, job] of jobs) if (!wanted.has(key) && !job.running) jobs.delete(key);
    for (const [key, { target, plan }] of wanted) {
      const intervalMs = plan.intervalSeconds * 1000;
      const existing = jobs.get(key);
      if (existing) {
        // A shorter interval takes effect now; a longer one from the next run.
        if (intervalMs < existing.intervalMs) existing.nextDueAt = Math.min(existing.nextDueAt, now() + intervalMs);
        existing.intervalMs = intervalMs;
        existing.target = target;
        existing.check = plan.check;
      } else {
        jobs.set(key, {
          key,
          target,
          check: plan.check,
          intervalMs,
          nextDueAt: now() + random() * Math.min(spread, intervalMs),
          running: false,
          rerun: false,
          runs: 0,
        });
      }
    }
    for (const waiter of cycleWaiters) for (const key of waiter.pending) if (!jobs.has(key)) waiter.pending.delete(key);
    settleWaiters();
    wake();
  }

  function settleWaiters(): void {
    for (let i = cycleWaiters.length - 1; i >= 0; i--) {
      const waiter = cycleWaiters[i];
      if (waiter && waiter.pending.size === 0) {
        cycleWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  function start(job: Job): void {
    job.running = true;
    job.rerun = false;
    const startedAt = now();
    const run = deps
      .runOne(job.target, job.check, abort.signal)
      .catch((error) => deps.onRunFailed?.(error, job.target, job.check))
      .finally(() => {
        inFlight.delete(run);
        job.running = false;
        job.runs += 1;
        const next = startedAt + jittered(job.intervalMs);
        job.nextDueAt = job.rerun ? now() : Math.max(next, now());
        for (const waiter of cycleWaiters) if (startedAt >= waiter.after) waiter.pending.delete(job.key);
        settleWaiters();
        if (!jobs.has(job.key) || !isWanted(job)) jobs.delete(job.key);
        wake();
      });
    inFlight.add(run);
  }

  const isWanted = (job: Job) =>
    deps.targets().some((t) => t.hostId === job.target.hostId) && deps.plan().some((p) => p.check.id === job.check.id);

  function pump(): void {
    timer = null;
    if (!running) return;
    const t = now();
    const runningPerHost = new Map<string, number>();
    for (const job of jobs.values())
      if (job.running) runningPerHost.set(job.target.hostId, (runningPerHost.get(job.target.hostId) ?? 0) + 1);
    const due = [...jobs.values()].filter((job) => !job.running && job.nextDueAt <= t);
    due.sort((a, b) => a.nextDueAt - b.nextDueAt);
    for (const job of due) {
      const hostRuns = runningPerHost.get(job.target.hostId) ?? 0;
      if (hostRuns >= deps.maxConcurrentPerTarget) continue;
      if (hostRuns === 0 && runningPerHost.size >= deps.maxConcurrentTargets) continue;
      runningPerHost.set(job.target.hostId, hostRuns + 1);
      start(job);
    }
    schedule();
  }

  function schedule(): void {
    if (!running || timer) return;
    const next = Math.min(
      ...[...jobs.values()].filter((j) => !j.running).map((j) => j.nextDueAt),
      now() + MAX_SLEEP_MS,
    );
    timer = setTimeout(pump, Math.max(0, next - now()));
  }

  function wake(): void {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = null;
    setImmediate(pump);
  }

  function runNow(filter: { checkIds?: readonly string[]; hostIds?: readonly string[] } = {}): number {
    let count = 0;
    for (const job of jobs.values()) {
      if (filter.checkIds && !filter.checkIds.includes(job.check.id)) continue;
      if (filter.hostIds && !filter.hostIds.includes(job.target.hostId)) continue;
      if (job.running) job.rerun = true;
      else job.nextDueAt = now();
      count += 1;
    }
    wake();
    return count;
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      abort = new AbortController();
      reconcile();
    },
    /** Targets or schedule changed: add, drop and re-time jobs (running jobs finish first). */
    reconcile,
    /** Runs matching jobs now (or right after their current run). Empty filters mean all. */
    runNow,
    /** Runs every job once now; resolves when each has finished a run that started after this call. */
    runCycle(): Promise<void> {
      const after = now();
      const promise = new Promise<void>((resolve) => {
        cycleWaiters.push({ pending: new Set(jobs.keys()), after, resolve });
      });
      runNow();
      settleWaiters();
      return promise;
    },
    status() {
      const list = [...jobs.values()];
      return {
        jobs: list.length,
        running: list.filter((j) => j.running).length,
        hosts: new Set(list.map((j) => j.target.hostId)).size,
        completedRuns: list.reduce((sum, j) => sum + j.runs, 0),
      };
    },
    /** Stops scheduling, aborts runs in flight and waits for them to finish. */
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      abort.abort();
      await Promise.allSettled([...inFlight]);
      for (const waiter of cycleWaiters.splice(0)) waiter.resolve();
    },
  };
}
