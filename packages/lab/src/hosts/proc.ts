import { readdirSync, readFileSync } from 'node:fs';
import { HOLDER_SCRIPT, HOST_NAME_PATTERN } from './host-layout';

function readProcFile(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

export function readCmdline(pid: number): string[] | null {
  const raw = readProcFile(pid, 'cmdline');
  return raw === null ? null : raw.split('\0').filter((part) => part.length > 0);
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks; with the pid it identifies one process. */
export function processStartTime(pid: number): string | null {
  const stat = readProcFile(pid, 'stat');
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return null;
  return fields[19] ?? null;
}

export function isProcessAlive(pid: number, startTime?: string): boolean {
  const actual = processStartTime(pid);
  return actual !== null && (startTime === undefined || actual === startTime);
}

export function childPids(pid: number): number[] {
  const raw = readProcFile(pid, `task/${pid}/children`) ?? '';
  return raw
    .trim()
    .split(/\s+/)
    .filter((part) => part.length > 0)
    .map(Number);
}

/** The lab host a process belongs to, if it is a holder (`unshare … sh -c HOLDER_SCRIPT name`) or its init. */
export function labHostOfProcess(pid: number): string | null {
  const argv = readCmdline(pid);
  if (!argv?.includes(HOLDER_SCRIPT)) return null;
  const last = argv[argv.length - 1] ?? '';
  return HOST_NAME_PATTERN.test(last) ? last : null;
}

/** Every live holder or init process of any lab host, by host name. */
export function findLabProcesses(): Array<{ pid: number; name: string }> {
  const found: Array<{ pid: number; name: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const name = labHostOfProcess(pid);
    if (name !== null && isProcessAlive(pid)) found.push({ pid, name });
  }
  return found;
}

export function killProcess(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function waitForExit(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((pid) => isProcessAlive(pid))) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} did not exit within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
