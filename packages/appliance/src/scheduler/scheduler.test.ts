import { describe, expect, it } from 'vitest';
import type { LinuxCheck } from '../checks/check';
import type { Target } from '../targets/target';
import { createScheduler } from './scheduler';

const check = (id: string): LinuxCheck => ({
  id,
  collector: 'true',
  evaluate: () => ({ status: 'pass', reason: 'ok', observed: {} }),
});
const target = (hostId: string): Target => ({
  hostId,
  hostname: hostId,
  kind: 'local',
  run: async () => ({ stdout: '', stderr: '', exitCode: 0, durationMs: 0 }),
  close: async () => undefined,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records every run: when it started and ended, and how many were in flight per host and per job. */
function recorder(runMs: number) {
  const runs: { key: string; host: string }[] = [];
  const active = new Map<string, number>();
  const perHost = new Map<string, number>();
  let maxSameJob = 0;
  let maxPerHost = 0;
  let maxHosts = 0;
  return {
    runs,
    get maxSameJob() {
      return maxSameJob;
    },
    get maxPerHost() {
      return maxPerHost;
    },
    get maxHosts() {
      return maxHosts;
    },
    async runOne(t: Target, c: LinuxCheck) {
      const key = `${t.hostId}/${c.id}`;
      active.set(key, (active.get(key) ?? 0) + 1);
      perHost.set(t.hostId, (perHost.get(t.hostId) ?? 0) + 1);
      maxSameJob = Math.max(maxSameJob, active.get(key) ?? 0);
      maxPerHost = Math.max(maxPerHost, perHost.get(t.hostId) ?? 0);
      maxHosts = Math.max(maxHosts, [...perHost.values()].filter((n) => n > 0).length);
      runs.push({ key, host: t.hostId });
      await sleep(runMs);
      active.set(key, (active.get(key) ?? 1) - 1);
      perHost.set(t.hostId, (perHost.get(t.hostId) ?? 1) - 1);
    },
  };
}

describe('scheduler', () => {
  it('runs each job on its interval, never overlapping itself, within the host and per-host limits', async () => {
    const rec = recorder(30);
    const targets = ['h1', 'h2', 'h3'].map(target);
    const checks = ['c1', 'c2', 'c3', 'c4'].map(check);
    const scheduler = createScheduler({
      targets: () => targets,
      plan: () => checks.map((c) => ({ check: c, intervalSeconds: 0.05 })),
      runOne: (t, c) => rec.runOne(t, c),
      maxConcurrentTargets: 2,
      maxConcurrentPerTarget: 2,
      jitter: 0.1,
      initialSpreadMs: 0,
    });
    scheduler.start();
    await sleep(700);
    await scheduler.stop();
    expect(rec.maxSameJob).toBe(1);
    expect(rec.maxPerHost).toBeLessThanOrEqual(2);
    expect(rec.maxHosts).toBeLessThanOrEqual(2);
    // Every one of the 12 jobs ran, and more than once.
    const perJob = new Map<string, number>();
    for (const r of rec.runs) perJob.set(r.key, (perJob.get(r.key) ?? 0) + 1);
    expect(perJob.size).toBe(12);
    expect(Math.min(...perJob.values())).toBeGreaterThan(1);
  });

  it('runs a matching job now on request, and right after the current run if one is in flight', async () => {
    const rec = recorder(100);
    const scheduler = createScheduler({
      targets: () => [target('h1')],
      plan: () => [check('slow'), check('other')].map((c) => ({ check: c, intervalSeconds: 3600 })),
      runOne: (t, c) => rec.runOne(t, c),
      maxConcurrentTargets: 4,
      maxConcurrentPerTarget: 4,
      jitter: 0,
      initialSpreadMs: 0,
    });
    scheduler.start();
    await sleep(20);
    expect(rec.runs).toHaveLength(2); // the first runs, still in flight
    expect(scheduler.runNow({ checkIds: ['slow'] })).toBe(1);
    await sleep(300);
    expect(rec.runs.map((r) => r.key)).toEqual(['h1/slow', 'h1/other', 'h1/slow']);
    expect(rec.maxSameJob).toBe(1);
    await scheduler.runCycle();
    expect(rec.runs).toHaveLength(5);
    await scheduler.stop();
  });

  it('follows target and plan changes, and aborts runs in flight at stop', async () => {
    let targets = [target('h1')];
    let aborted = 0;
    const scheduler = createScheduler({
      targets: () => targets,
      plan: () => [{ check: check('c1'), intervalSeconds: 3600 }],
      runOne: (_t, _c, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted += 1;
            resolve();
          });
        }),
      maxConcurrentTargets: 4,
      maxConcurrentPerTarget: 4,
      jitter: 0,
      initialSpreadMs: 0,
    });
    scheduler.start();
    await sleep(20);
    targets = [target('h1'), target('h2')];
    scheduler.reconcile();
    await sleep(20);
    expect(scheduler.status()).toMatchObject({ jobs: 2, running: 2, hosts: 2 });
    await scheduler.stop();
    expect(aborted).toBe(2);
  });
});
