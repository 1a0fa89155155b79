import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LINUX_CHECK_IMPLEMENTATIONS } from '@osiris/appliance';
import { type LabProcess, spawnLocal } from '../agents/processes';
import { childPids, isProcessAlive, killProcess, processStartTime, readCmdline, waitForExit } from '../hosts/proc';
import type { LabHost } from '../hosts/lab-host';
import { labApplianceConfig } from '../scenarios/lab-appliance';
import { seedInstallRoot } from './fleet-release';

const SETPRIV = '/usr/bin/setpriv';
const PARENT_DEATH_SIGNAL = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'SIGTERM'] : [];

/** The checks every fleet appliance runs against its lab host: two quick ones, so the health gate sees a check run. */
const FLEET_CHECKS = ['linux.ssh.permit-root-login', 'linux.kernel.aslr'] as const;

export interface FleetTimings {
  checkinIntervalSeconds: number;
  checkIntervalSeconds: number;
  healthGateTimeoutSeconds: number;
}

/** One lab appliance: its own install root (slots), data dir, config and `osiris-appliance supervise` process. */
export interface FleetAppliance {
  readonly index: number;
  readonly hostname: string;
  readonly root: string;
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** Central's id, known once it registered. */
  applianceId: string | null;
  readonly supervisor: LabProcess | null;
  start(): Promise<void>;
  /** SIGTERM to the supervisor (which stops its daemon); SIGKILL to both if they hang. */
  stop(): Promise<void>;
  /** The daemon the supervisor runs right now: its pid and the slot it was started from. */
  daemon(): { pid: number; slot: 'a' | 'b' } | null;
  readRoot(): RootState;
}

/** What an install root says: the updater state file, where the links point, and the version in each slot. */
export interface RootState {
  knownGood: string | null;
  knownGoodVersion: string | null;
  pending: { slot: string; version: string; startAttempts: number } | null;
  outbox: number;
  current: string | null;
  good: string | null;
  slots: { a: string | null; b: string | null };
}

const readText = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

const linkTarget = (link: string): string | null => {
  try {
    return /slots\/([ab])\/?$/.exec(readlinkSync(link))?.[1] ?? null;
  } catch {
    return null;
  }
};

export function readRootState(root: string): RootState {
  const text = readText(join(root, 'state.json'));
  const state = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  const pending = (state?.pending ?? null) as RootState['pending'];
  return {
    knownGood: (state?.knownGood as string | undefined) ?? null,
    knownGoodVersion: (state?.knownGoodVersion as string | undefined) ?? null,
    pending: pending ? { slot: pending.slot, version: pending.version, startAttempts: pending.startAttempts } : null,
    outbox: Array.isArray(state?.outbox) ? state.outbox.length : 0,
    current: linkTarget(join(root, 'current')),
    good: linkTarget(join(root, 'good')),
    slots: { a: readText(join(root, 'slots', 'a', 'VERSION')), b: readText(join(root, 'slots', 'b', 'VERSION')) },
  };
}

/**
 * Creates the appliance's directories, seeds slot a with `baseArtifact` (the version the sources
 * build, packed) and writes its config: central, the provision code, one lab host over SSH, the
 * release key, short intervals. Nothing runs until start().
 */
export async function createFleetAppliance(params: {
  index: number;
  dir: string;
  centralUrl: string;
  provisionCode: string;
  host: LabHost;
  releasePublicKey: string;
  baseArtifact: string;
  timings: FleetTimings;
}): Promise<FleetAppliance> {
  const hostname = `fleet-${String(params.index).padStart(2, '0')}`;
  const home = join(params.dir, hostname);
  const root = join(home, 'root');
  const dataDir = join(home, 'data');
  const configFile = join(home, 'appliance.yaml');
  const logFile = join(home, 'supervise.log');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await seedInstallRoot(root, params.baseArtifact);
  const config = labApplianceConfig({
    centralUrl: params.centralUrl,
    dataDir,
    provisionCode: params.provisionCode,
    hosts: [params.host],
    extra: {
      hostname,
      logLevel: 'info',
      checkinIntervalSeconds: params.timings.checkinIntervalSeconds,
      checks: {
        defaultIntervalSeconds: params.timings.checkIntervalSeconds,
        initialSpreadSeconds: 0,
        jitter: 0,
        disabled: LINUX_CHECK_IMPLEMENTATIONS.map((c) => c.id).filter(
          (id) => !(FLEET_CHECKS as readonly string[]).includes(id),
        ),
      },
      sync: { coalesceMs: 200, backoffInitialSeconds: 0.1, backoffMaxSeconds: 2 },
      statusPage: { enabled: false },
      update: {
        root,
        releasePublicKeys: [params.releasePublicKey],
        healthGateTimeoutSeconds: params.timings.healthGateTimeoutSeconds,
        reportRetryMaxSeconds: 2,
      },
    },
  });
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

  let supervisor: LabProcess | null = null;
  /** Every daemon pid seen under the supervisor (with its start time), so a stop can reap one it left behind. */
  const seen = new Map<number, string>();

  const daemon = (): { pid: number; slot: 'a' | 'b' } | null => {
    if (!supervisor) return null;
    for (const pid of childPids(supervisor.pid)) {
      const slot = /\/slots\/([ab])\/bin\/osiris-appliance$/.exec(readCmdline(pid)?.[1] ?? '')?.[1] as
        | 'a'
        | 'b'
        | undefined;
      const startTime = processStartTime(pid);
      if (!slot || startTime === null) continue;
      seen.set(pid, startTime);
      return { pid, slot };
    }
    return null;
  };

  return {
    index: params.index,
    hostname,
    root,
    dataDir,
    configFile,
    logFile,
    applianceId: null,
    get supervisor() {
      return supervisor;
    },
    async start() {
      if (supervisor) throw new Error(`${hostname} already runs`);
      // The supervisor runs from the installed version (`good`), as the shipped systemd unit runs it;
      // setpriv makes the kernel SIGTERM it if this process dies, so a killed run leaves no fleet behind.
      supervisor = spawnLocal(
        [
          ...PARENT_DEATH_SIGNAL,
          process.execPath,
          join(root, 'good', 'bin', 'osiris-appliance'),
          'supervise',
          '--root',
          root,
          '--config',
          configFile,
        ],
        logFile,
        { HOME: '/root' },
      );
    },
    async stop() {
      const running = supervisor;
      if (!running) return;
      daemon();
      await running.stop('SIGTERM', 30_000);
      const left = [...seen].filter(([pid, startTime]) => isProcessAlive(pid, startTime)).map(([pid]) => pid);
      for (const pid of left) killProcess(pid);
      await waitForExit(left, 10_000);
      supervisor = null;
    },
    daemon,
    readRoot: () => readRootState(root),
  };
}
