import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCentralServer } from '@osiris/central/testing';
import {
  createEnrollmentToken,
  freeLoopbackPort,
  startApplianceDaemon,
  stopProcess,
  watchProcess,
} from './agents/appliance-process';
import { type LoadOptions, type LoadStats, percentile, runLoad } from './agents/load-phase';
import { fetchPinnedCaPem } from '@osiris/appliance';
import { enrollSimAgent, type SimAgent } from './agents/sim-agent';
import { argValue } from './ingest.bench';

const BASELINE_AGENTS = 10;
const ENROLL_CONCURRENCY = 8;
/** The most the appliance's config accepts; enrollment is throttled per remote address and every agent is on loopback. */
const REQUESTS_PER_MINUTE = 6000;
const REQUEST_BURST = 1000;

function boundedArg(args: string[], name: string, fallback: number, max: number): number {
  const value = argValue(args, name, fallback);
  if (value > max) throw new Error(`${name} takes at most ${max}`);
  return value;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function enrollAll(url: string, caPem: string, token: string, count: number): Promise<SimAgent[]> {
  const agents: SimAgent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      agents.push(await enrollSimAgent(url, caPem, token, index));
      if (agents.length % 100 === 0) process.stderr.write(`  enrolled ${agents.length}/${count}\n`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(ENROLL_CONCURRENCY, count) }, worker));
  } catch (error) {
    for (const agent of agents) agent.close();
    throw error;
  }
  return agents;
}

/** One load phase against the daemon, with the daemon's CPU and RSS over exactly that phase. */
async function measure(pid: number, agents: readonly SimAgent[], load: LoadOptions) {
  const watch = watchProcess(pid);
  const ownCpu = process.cpuUsage();
  const stats: LoadStats = await runLoad(agents, load);
  const usage = watch.stop();
  const own = process.cpuUsage(ownCpu);
  return {
    agents: stats.agents,
    heartbeatsPerSec: round(stats.heartbeats / stats.wallSeconds),
    offeredHeartbeatsPerSec: round((stats.agents * 1000) / load.intervalMs),
    resultsPerSec: round(stats.resultsStored / stats.wallSeconds),
    resultBatchesPerSec: round(stats.resultBatches / stats.wallSeconds),
    errors: stats.errors,
    ...(stats.errors > 0 ? { errorCodes: stats.errorCodes } : {}),
    lateTicks: stats.lateTicks,
    p50Ms: round(percentile(stats.latenciesMs, 50), 2),
    p99Ms: round(percentile(stats.latenciesMs, 99), 2),
    applianceCpuPercent: round(usage.cpuPercent),
    applianceRssMb: round(usage.finalRssMb),
    appliancePeakRssMb: round(usage.peakRssMb),
    /** Appliance CPU milliseconds per handled heartbeat (results included): the cost that should stay flat. */
    applianceCpuMsPerHeartbeat: round((usage.cpuPercent * 10 * stats.wallSeconds) / Math.max(1, stats.heartbeats), 3),
    /** This process (simulated agents and central, which receives the agents' evidence), for context. */
    loadGeneratorCpuPercent: round(((own.user + own.system) / 1e6 / stats.wallSeconds) * 100),
  };
}

/**
 * `npm run bench -- agents [--count 500] [--seconds 30]`: the real appliance daemon
 * (`osiris-appliance run`, its own process, registered with a central in this process on PGlite)
 * with its workstation agent endpoint on loopback; `--count` simulated agents enroll with one
 * token (each its own key, certificate and HTTP/2 connection), then each heartbeats every
 * `--interval-ms` (default 1000) and reports `--results-batch` results (default 5) after every
 * `--results-every`-th heartbeat (default 10) for `--seconds`. Baseline in the same run: the
 * same load from the first 10 agents for `--baseline-seconds` (default min(seconds, 15)).
 * The daemon's CPU (user + sys over wall time) and RSS come from /proc/<pid>. Agent results become
 * signed evidence and go to central, as in production. Prints one JSON line on stdout.
 */
export async function runAgentsBench(args: string[]): Promise<void> {
  const count = boundedArg(args, '--count', 500, 1500);
  const seconds = boundedArg(args, '--seconds', 30, 600);
  const baselineSeconds = boundedArg(args, '--baseline-seconds', Math.min(seconds, 15), 600);
  const load = {
    intervalMs: boundedArg(args, '--interval-ms', 1000, 60_000),
    resultsEvery: boundedArg(args, '--results-every', 10, 1000),
    resultsBatch: boundedArg(args, '--results-batch', 5, 500),
  };
  const dir = await mkdtemp(join(tmpdir(), 'osiris-agents-bench-'));
  const central = await startCentralServer('pglite');
  let daemon: ChildProcess | null = null;
  const agents: SimAgent[] = [];
  const onSignal = () => {
    daemon?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  const onExit = () => daemon?.kill('SIGKILL');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    const { siteId } = await central.createSite('agents-bench');
    const port = await freeLoopbackPort();
    const configPath = join(dir, 'appliance.yaml');
    const config = {
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      hostname: 'agents-bench',
      provisionCode: await central.provisionCode(siteId),
      logLevel: 'error',
      statusPage: { enabled: false },
      agents: {
        enabled: true,
        host: '127.0.0.1',
        port,
        serverNames: ['127.0.0.1'],
        checks: [{ checkId: 'firewall', params: {} }],
        requestsPerMinutePerAgent: REQUESTS_PER_MINUTE,
        requestBurstPerAgent: REQUEST_BURST,
      },
    };
    writeFileSync(configPath, JSON.stringify(config));
    process.stderr.write(`starting the appliance (agent endpoint on 127.0.0.1:${port})…\n`);
    daemon = await startApplianceDaemon(configPath);
    const pid = daemon.pid ?? 0;
    const url = `https://127.0.0.1:${port}`;
    const { token, fingerprint } = await createEnrollmentToken(configPath, count);
    const caPem = await fetchPinnedCaPem(url, fingerprint);
    process.stderr.write(`enrolling ${count} agents…\n`);
    agents.push(...(await enrollAll(url, caPem, token, count)));
    const baselineAgents = agents.slice(0, Math.min(BASELINE_AGENTS, count));
    process.stderr.write(`baseline: ${baselineAgents.length} agents for ${baselineSeconds} s…\n`);
    const baseline = await measure(pid, baselineAgents, { ...load, seconds: baselineSeconds });
    process.stderr.write(`${count} agents for ${seconds} s…\n`);
    const main = await measure(pid, agents, { ...load, seconds });
    const report = {
      bench: 'agents',
      seconds,
      intervalMs: load.intervalMs,
      resultsEvery: load.resultsEvery,
      resultsBatch: load.resultsBatch,
      ...main,
      baseline: { seconds: baselineSeconds, ...baseline },
      heartbeatsPerSecRatio: round(main.heartbeatsPerSec / baseline.heartbeatsPerSec, 2),
      cpuPerHeartbeatRatio: round(main.applianceCpuMsPerHeartbeat / baseline.applianceCpuMsPerHeartbeat, 2),
      limits: { requestsPerMinutePerAgent: REQUESTS_PER_MINUTE, requestBurstPerAgent: REQUEST_BURST },
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    for (const agent of agents) agent.close();
    if (daemon) await stopProcess(daemon);
    await central.close();
    rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}
