import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const APPLIANCE_BIN = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../appliance/bin/osiris-appliance.mjs',
);

/** A free TCP port on loopback (the agent endpoint's port must be known before the daemon starts). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts `osiris-appliance run` as its own process; resolves once it says it is running. */
export function startApplianceDaemon(configPath: string): Promise<ChildProcess> {
  return new Promise((resolveChild, reject) => {
    const child = spawn(process.execPath, [APPLIANCE_BIN, 'run', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the appliance did not start within 60 s: ${out}${err}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/appliance \S+ running/.test(out)) {
        clearTimeout(timer);
        resolveChild(child);
      }
    });
    // The daemon's own log (warn and above) stays bounded in memory; only the tail is shown on failure.
    child.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the appliance exited with ${code}: ${out}${err}`));
    });
  });
}

/** `osiris-appliance agents token create`: the token (a secret, never printed) and the CA fingerprint to pin. */
export function createEnrollmentToken(
  configPath: string,
  uses: number,
): Promise<{ token: string; fingerprint: string }> {
  const args = [APPLIANCE_BIN, 'agents', 'token', 'create', '--config', configPath, '--uses', String(uses)];
  return new Promise((resolveToken, reject) => {
    execFile(process.execPath, [...args, '--expires', '30m'], { timeout: 60_000 }, (error, stdout) => {
      if (error) return reject(new Error(`token create failed: ${error.message}`));
      const token = /^token (osiris-enroll-\S+)$/m.exec(stdout)?.[1];
      const fingerprint = /^CA fingerprint \(SHA-256\) (\S+)$/m.exec(stdout)?.[1];
      if (!token || !fingerprint) return reject(new Error('token create printed no token or fingerprint'));
      resolveToken({ token, fingerprint });
    });
  });
}

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** Current (VmRSS) and peak (VmHWM) resident set of a process, in MiB. */
function rssMiB(pid: number): { current: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { current: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Samples a process's RSS while a phase runs; `stop` returns the phase's CPU % and its peak and final RSS. */
export function watchProcess(pid: number, sampleMs = 250) {
  const startCpu = cpuSeconds(pid);
  const startedAt = performance.now();
  let peak = rssMiB(pid).current;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid).current);
  }, sampleMs);
  return {
    stop() {
      clearInterval(timer);
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const rss = rssMiB(pid);
      return {
        cpuPercent: ((cpuSeconds(pid) - startCpu) / wallSeconds) * 100,
        peakRssMb: Math.max(peak, rss.current),
        finalRssMb: rss.current,
      };
    },
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
