import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { HOLDER_SCRIPT, hostPaths, vethNames } from './host-layout';
import { childPids, findLabProcesses, killProcess, labHostOfProcess, readCmdline, waitForExit } from './proc';
import { runCommand } from './run-command';

const HOLDER_PROGRAM = 'unshare'; // util-linux
const NAMESPACE_FLAGS = ['--net', '--mount', '--uts', '--ipc', '--pid'];

/**
 * Starts the long-lived holder: `unshare` with new net, mount, UTS, IPC and PID namespaces, whose forked
 * child (PID 1 of the host) runs a sleep loop named after the host. `--kill-child` makes the child die
 * with the holder, and when a PID namespace's init dies every process in the host dies with it.
 */
export function spawnHolder(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [...NAMESPACE_FLAGS, '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];
    const child = spawn(HOLDER_PROGRAM, [...args, '--', '/bin/sh', '-c', HOLDER_SCRIPT, name], {
      cwd: '/',
      detached: true,
      stdio: 'ignore',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    child.once('error', (error) => reject(new Error(`cannot start the holder of ${name}: ${error.message}`)));
    child.once('spawn', () => {
      child.unref();
      if (child.pid === undefined) reject(new Error(`the holder of ${name} has no pid`));
      else resolve(child.pid);
    });
  });
}

/** PID (in the root namespace) of the host's init, once it has exec'd the holder loop. */
export async function waitForInit(holderPid: number, name: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const init = childPids(holderPid).find((pid) => readCmdline(pid)?.[0] === '/bin/sh');
    if (init !== undefined && labHostOfProcess(init) === name) return init;
    if (readCmdline(holderPid) === null) throw new Error(`the holder of ${name} exited during start-up`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the holder of ${name} did not start its init within ${timeoutMs} ms`);
}

/** nsenter arguments that run a program inside every namespace of the host. */
export function nsenterArgs(initPid: number, program: string[]): string[] {
  return ['-t', String(initPid), '-m', '-u', '-i', '-n', '-p', '--', ...program];
}

/** Waits until something accepts TCP connections on ip:port; a bounded loop of local connects. */
export async function waitForTcp(ip: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: ip, port, timeout: 500 });
      // Always destroyed: an open probe socket would keep the process alive after the host is gone.
      const done = (isOpen: boolean) => {
        socket.destroy();
        resolve(isOpen);
      };
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      socket.once('timeout', () => done(false));
    }).catch(() => false);
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${ip}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8');
  const targets = mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target === dir || target.startsWith(`${dir}/`));
  for (const target of targets.reverse()) await runCommand('umount', ['-l', target]);
}

/**
 * Removes everything of one host, whatever state it is in: root-side veth (which takes its peer with it),
 * every process of the host (holder, init and, through the PID namespace, all it started), any stray
 * mount under its state dir in this namespace, and the state dir. Only kills processes whose command
 * line marks them as this host's holder or init.
 */
export async function teardownHost(stateRoot: string, name: string, knownPids: number[]): Promise<void> {
  const veth = vethNames(name).root;
  await runCommand('ip', ['link', 'del', veth]);
  const found = findLabProcesses()
    .filter((entry) => entry.name === name)
    .map((entry) => entry.pid);
  const pids = [...new Set([...knownPids, ...found])].filter((pid) => labHostOfProcess(pid) === name);
  for (const pid of pids) killProcess(pid);
  await waitForExit(pids, 10_000);
  await waitForLinkGone(veth, 5_000);
  const { dir } = hostPaths(stateRoot, name);
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
}

async function waitForLinkGone(link: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await runCommand('ip', ['link', 'show', link])).exitCode === 0) {
    if (Date.now() > deadline) throw new Error(`link ${link} still exists after ${timeoutMs} ms`);
    await runCommand('ip', ['link', 'del', link]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
