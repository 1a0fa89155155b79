import { readdir, rmdir, stat } from 'node:fs/promises';
import { HOST_NAME_PATTERN, HOST_PREFIX, hostPaths } from './host-layout';
import { teardownHost } from './host-process';
import { type HostRecord, readHostRecord } from './host-record';
import { findLabProcesses, isProcessAlive, killProcess, waitForExit } from './proc';
import { runCommand } from './run-command';

export interface SweepReport {
  removedHosts: string[];
  killedPids: number[];
  removedLinks: string[];
  removedNetns: string[];
}

/** A create in progress writes its record within milliseconds; a record-less dir older than this is debris. */
const UNRECORDED_GRACE_MS = 60_000;

async function isLeftover(stateRoot: string, name: string, record: HostRecord | null): Promise<boolean> {
  if (record === null || record.holderPid === null) {
    const { mtimeMs } = await stat(hostPaths(stateRoot, name).dir);
    const isOwnerAlive = record?.owner ? isProcessAlive(record.owner.pid, record.owner.startTime) : false;
    return !isOwnerAlive && Date.now() - mtimeMs > UNRECORDED_GRACE_MS;
  }
  if (record.owner && !isProcessAlive(record.owner.pid, record.owner.startTime)) return true;
  return !isProcessAlive(record.holderPid, record.holderStartTime ?? undefined);
}

async function listHostDirs(stateRoot: string): Promise<string[]> {
  try {
    return (await readdir(stateRoot)).filter((entry) => HOST_NAME_PATTERN.test(entry));
  } catch {
    return [];
  }
}

async function listLinks(): Promise<string[]> {
  const { stdout } = await runCommand('ip', ['-o', 'link', 'show']);
  return stdout
    .split('\n')
    .map((line) => (line.split(': ')[1] ?? '').split('@')[0] ?? '')
    .filter((name) => name.startsWith(HOST_PREFIX));
}

async function listNetns(): Promise<string[]> {
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(HOST_PREFIX));
}

/**
 * Removes what the lab left behind: hosts whose holder died or whose owning process is gone (a crashed
 * test run), holder processes, veths and `osl-` network namespaces that belong to no live host, and
 * the state root if it ends up empty. With `isAll`, removes every lab host, live or not (`hosts down`).
 */
export async function sweepLab(stateRoot: string, options: { isAll?: boolean } = {}): Promise<SweepReport> {
  const report: SweepReport = { removedHosts: [], killedPids: [], removedLinks: [], removedNetns: [] };
  const kept = new Set<string>();
  for (const name of await listHostDirs(stateRoot)) {
    const record = await readHostRecord(hostPaths(stateRoot, name).record);
    if (!options.isAll && !(await isLeftover(stateRoot, name, record))) {
      kept.add(name);
      continue;
    }
    const known = [record?.holderPid, record?.initPid].filter((pid): pid is number => typeof pid === 'number');
    await teardownHost(stateRoot, name, known);
    report.removedHosts.push(name);
  }
  const orphans = findLabProcesses().filter((entry) => !kept.has(entry.name));
  for (const { pid } of orphans) killProcess(pid);
  await waitForExit(
    orphans.map((entry) => entry.pid),
    10_000,
  );
  report.killedPids.push(...orphans.map((entry) => entry.pid));
  for (const link of await listLinks()) {
    if (kept.has(link.replace(/-[rp]$/, ''))) continue;
    await runCommand('ip', ['link', 'del', link]);
    report.removedLinks.push(link);
  }
  for (const netns of await listNetns()) {
    await runCommand('ip', ['netns', 'del', netns]);
    report.removedNetns.push(netns);
  }
  await rmdir(stateRoot).catch(() => undefined); // only succeeds when no host is left
  return report;
}
