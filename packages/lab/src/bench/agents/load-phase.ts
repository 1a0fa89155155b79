import { performance } from 'node:perf_hooks';
import { ConnectError } from '@connectrpc/connect';
import { heartbeat, reportResults, type SimAgent } from './sim-agent';

export interface LoadOptions {
  seconds: number;
  intervalMs: number;
  /** A results batch after every N-th heartbeat of an agent. */
  resultsEvery: number;
  resultsBatch: number;
}

export interface LoadStats {
  agents: number;
  wallSeconds: number;
  heartbeats: number;
  resultBatches: number;
  resultsStored: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Heartbeats not sent on time because the agent's previous call was still running. */
  lateTicks: number;
  latenciesMs: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function errorName(error: unknown): string {
  if (error instanceof ConnectError) return `grpc_${error.code}`;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Every agent heartbeats each `intervalMs` (first tick at a random offset so load is spread) and
 * reports a results batch after every `resultsEvery`-th heartbeat (from a random point of that
 * cycle), until `seconds` have passed.
 * One agent's calls are sequential, as a real agent's are; a late agent skips the ticks it missed.
 */
export async function runLoad(agents: readonly SimAgent[], options: LoadOptions): Promise<LoadStats> {
  const stats: LoadStats = {
    agents: agents.length,
    wallSeconds: 0,
    heartbeats: 0,
    resultBatches: 0,
    resultsStored: 0,
    errors: 0,
    errorCodes: {},
    lateTicks: 0,
    latenciesMs: [],
  };
  const fail = (error: unknown) => {
    stats.errors++;
    const name = errorName(error);
    stats.errorCodes[name] = (stats.errorCodes[name] ?? 0) + 1;
  };
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const progress = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    process.stderr.write(
      `  ${elapsed.toFixed(0)} s: ${stats.heartbeats} heartbeats, ${stats.resultBatches} result batches, ${stats.errors} errors\n`,
    );
  }, 5_000);
  async function drive(agent: SimAgent): Promise<void> {
    let next = start + Math.random() * options.intervalMs;
    // A random phase in the results cycle too, so agents' batches are spread, not all on one tick.
    for (let beat = 1 + Math.floor(Math.random() * options.resultsEvery); ; beat++) {
      await sleep(next - performance.now());
      if (performance.now() >= end) return;
      const t0 = performance.now();
      try {
        await heartbeat(agent);
        stats.latenciesMs.push(performance.now() - t0);
        stats.heartbeats++;
      } catch (error) {
        fail(error);
      }
      if (beat % options.resultsEvery === 0) {
        try {
          // Read the count after the await: `total += await x` would add to a stale total.
          const stored = await reportResults(agent, options.resultsBatch);
          stats.resultsStored += stored;
          stats.resultBatches++;
        } catch (error) {
          fail(error);
        }
      }
      next += options.intervalMs;
      const now = performance.now();
      if (next < now) {
        const missed = Math.ceil((now - next) / options.intervalMs);
        stats.lateTicks += missed;
        next += missed * options.intervalMs;
      }
    }
  }
  try {
    await Promise.all(agents.map(drive));
  } finally {
    clearInterval(progress);
  }
  stats.wallSeconds = (performance.now() - start) / 1000;
  return stats;
}

/** The `p`-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
