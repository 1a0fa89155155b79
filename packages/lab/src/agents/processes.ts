import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { hostPaths } from '../hosts/host-layout';
import { nsenterArgs } from '../hosts/host-process';
import { readHostRecord } from '../hosts/host-record';
import type { LabHost } from '../hosts/lab-host';
import { childPids, isProcessAlive, labHostOfProcess } from '../hosts/proc';

const NSENTER = 'nsenter';

/** A long-running program started by the lab, its output appended to a log file. */
export interface LabProcess {
  /** PID (root namespace) of the program itself, not of a wrapper. */
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or 128 + signal) once the program (and its wrapper) ended. */
  readonly exited: Promise<number>;
  /** Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILL. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? 128);
      return;
    }
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function handle(child: ChildProcess, pid: number, logFile: string): LabProcess {
  const exited = exitOf(child);
  return {
    pid,
    logFile,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      const send = (s: NodeJS.Signals) => {
        try {
          process.kill(pid, s);
        } catch {
          // already gone
        }
      };
      send(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first !== 'timeout') return first;
      send('SIGKILL');
      return exited;
    },
  };
}

/** Starts `argv` on this machine (e.g. the appliance daemon), stdout and stderr appended to `logFile`. */
export function spawnLocal(argv: readonly string[], logFile: string, env: Record<string, string> = {}): LabProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('nothing to start');
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { cwd: '/', env: { PATH, ...env }, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`cannot start ${file}`);
    child.on('error', () => undefined);
    return handle(child, child.pid, logFile);
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts `argv` inside a lab host (every namespace of its init, as root) and returns once the
 * program runs: nsenter forks for the PID namespace, so the handle signals nsenter's child, the
 * program itself. The host's destroy() ends it too (its PID namespace dies with the init).
 */
export async function spawnInHost(
  host: LabHost,
  argv: readonly string[],
  logFile: string,
  env: Record<string, string> = {},
): Promise<LabProcess> {
  const record = await readHostRecord(join(host.info.stateDir, 'host.json'));
  const initPid = record?.initPid ?? null;
  if (initPid === null || labHostOfProcess(initPid) !== host.info.name)
    throw new Error(`lab host ${host.info.name} is not running`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(NSENTER, nsenterArgs(initPid, [...argv]), {
      cwd: '/',
      env: { PATH, HOME: '/root', USER: 'root', ...env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  child.on('error', () => undefined);
  const wrapper = child.pid;
  if (wrapper === undefined) throw new Error(`cannot start ${argv[0]} in ${host.info.name}`);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [pid] = childPids(wrapper);
    if (pid !== undefined && isProcessAlive(pid)) return handle(child, pid, logFile);
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${argv[0]} did not start in ${host.info.name} (see ${logFile})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The host's state dir as the host sees it (bind-mounted there, not overlaid) and as this machine does. */
export function sharedHostDir(host: LabHost, name: string): { inside: string; outside: string } {
  return {
    inside: `/run/.osl-state/${name}`,
    outside: join(hostPaths(join(host.info.stateDir, '..'), host.info.name).fs, name),
  };
}
