import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startCentralServer } from '@osiris/central/testing';
import { createLab } from '../hosts/lab';
import type { LabHost } from '../hosts/lab-host';
import { labApplianceConfig } from '../scenarios/lab-appliance';

const APPLIANCE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../appliance/bin/osiris-appliance.mjs');

function hostsArg(args: string[]): number {
  const index = args.indexOf('--hosts');
  const value = index >= 0 ? Number(args[index + 1]) : 10;
  if (!Number.isInteger(value) || value < 1 || value > 100)
    throw new Error('--hosts takes a whole number from 1 to 100');
  return value;
}

/** Peak resident set (VmHWM) of a running process, in MiB, from /proc. */
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : Number.NaN;
}

/** Starts the daemon as its own process; resolves with it and its status page address once running. */
function startDaemon(configPath: string): Promise<{ child: ChildProcess; statusUrl: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [APPLIANCE_BIN, 'run', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /status page (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolvePromise({ child, statusUrl: url });
    });
    child.on('exit', (code) => reject(new Error(`the appliance exited with ${code}: ${out}`)));
  });
}

interface Status {
  scheduler: { jobs: number; completedRuns: number };
  queues: { evidenceOutbox: number };
  results: { checkId: string; hostname: string; status: string; reason: string }[];
}

/**
 * `npm run bench -- cycle --hosts 10`: one full check cycle (every catalog check on every lab host
 * over SSH, evidence signed and stored) by the real appliance process; prints the wall time and the
 * appliance's peak RSS. Central runs in this process on in-memory PGlite.
 */
export async function runCycleBench(args: string[]): Promise<void> {
  const count = hostsArg(args);
  const lab = createLab();
  const hosts: LabHost[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'osiris-cycle-bench-'));
  const central = await startCentralServer('pglite');
  let daemon: ChildProcess | null = null;
  try {
    process.stderr.write(`creating ${count} lab hosts…\n`);
    for (let i = 0; i < count; i++) hosts.push(await lab.createHost());
    const { siteId } = await central.createSite('cycle-bench');
    const configPath = join(dir, 'appliance.yaml');
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode: await central.provisionCode(siteId),
      hosts,
    });
    writeFileSync(configPath, JSON.stringify(config));
    process.stderr.write('starting the appliance; the first cycle starts at once…\n');
    const started = await startDaemon(configPath);
    daemon = started.child;
    const t0 = performance.now();
    let status: Status;
    for (;;) {
      status = (await (await fetch(`${started.statusUrl}status.json`)).json()) as Status;
      if (status.scheduler.jobs > 0 && status.scheduler.completedRuns >= status.scheduler.jobs) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const wallMs = performance.now() - t0;
    const rss = peakRssMiB(daemon.pid ?? 0);
    const byStatus: Record<string, number> = {};
    for (const r of status.results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const summary = {
      bench: 'cycle',
      hosts: count,
      checkRuns: status.scheduler.completedRuns,
      wallSeconds: Math.round(wallMs) / 1000,
      runsPerSec: Math.round((status.scheduler.completedRuns / wallMs) * 1000 * 10) / 10,
      peakRssMiB: rss,
      results: byStatus,
    };
    process.stdout.write(
      `one cycle: ${summary.checkRuns} check runs on ${count} hosts in ${summary.wallSeconds} s; appliance peak RSS ${rss} MiB\n`,
    );
    for (const r of status.results.filter((x) => x.status === 'error'))
      process.stderr.write(`error: ${r.hostname} ${r.checkId}: ${r.reason}\n`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    daemon?.kill('SIGTERM');
    if (daemon) await new Promise((r) => daemon?.once('exit', r));
    await central.close();
    for (const host of hosts) await host.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
