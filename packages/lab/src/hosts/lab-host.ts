import { mkdir, writeFile } from 'node:fs/promises';
import { GATEWAY_IP, hostIp, hostName, hostPaths, OVERLAID_DIRS, SSH_PORT, SSH_USER, vethNames } from './host-layout';
import { nsenterArgs, spawnHolder, teardownHost, waitForInit, waitForTcp } from './host-process';
import { type HostRecord, writeHostRecord } from './host-record';
import { RESET_SCRIPT, SETUP_SCRIPT } from './host-scripts';
import { labHostOfProcess, processStartTime } from './proc';
import { type CommandResult, mustRun, runCommand } from './run-command';

export interface LabHostInfo {
  name: string;
  ip: string;
  sshPort: number;
  user: string;
  /** The lab run's ed25519 client key (OpenSSH format, mode 0600), accepted by the host's root. */
  privateKeyPath: string;
  stateDir: string;
}

export interface LabHost {
  readonly info: LabHostInfo;
  /** Runs `sh -c command` inside the host as root; a non-zero exit is a result, not an error. */
  exec(command: string, options?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** Back to the state right after create: files, processes, nftables, address, hostname, sshd. */
  reset(): Promise<void>;
  /** Removes the host and everything it left on this machine. */
  destroy(): Promise<void>;
}

export interface StartHostParams {
  stateRoot: string;
  /** Host number in 2..254; its state dir must already be claimed by the caller. */
  index: number;
  clientKey: { privateKey: string; publicKey: string };
  owner: HostRecord['owner'];
}

const SSHD_READY_TIMEOUT_MS = 10_000;

/** Creates a running host; on any failure removes what it made and rethrows. */
export async function startHost(params: StartHostParams): Promise<LabHost> {
  const name = hostName(params.index);
  const paths = hostPaths(params.stateRoot, name);
  const record: HostRecord = {
    name,
    index: params.index,
    ip: hostIp(params.index),
    holderPid: null,
    holderStartTime: null,
    initPid: null,
    owner: params.owner,
    createdAt: new Date().toISOString(),
  };
  try {
    await prepareStateDir(paths, params.clientKey);
    await writeHostRecord(paths.record, record);
    record.holderPid = await spawnHolder(name);
    record.holderStartTime = processStartTime(record.holderPid);
    await writeHostRecord(paths.record, record);
    record.initPid = await waitForInit(record.holderPid, name);
    await writeHostRecord(paths.record, record);
    await bootHost(record, paths.fs, params.clientKey.publicKey);
  } catch (error) {
    const known = [record.holderPid, record.initPid].filter((pid): pid is number => pid !== null);
    await teardownHost(params.stateRoot, name, known).catch(() => undefined);
    throw new Error(`cannot create lab host ${name}: ${(error as Error).message}`, { cause: error });
  }
  return openHost(params.stateRoot, record);
}

async function prepareStateDir(
  paths: ReturnType<typeof hostPaths>,
  clientKey: StartHostParams['clientKey'],
): Promise<void> {
  for (const layer of ['upper', 'work']) {
    for (const dir of OVERLAID_DIRS) await mkdir(`${paths.fs}/${layer}/${dir}`, { recursive: true });
  }
  await mkdir(`${paths.fs}/snapshot`, { recursive: true });
  await mkdir(`${paths.dir}/client`, { recursive: true, mode: 0o700 });
  await writeFile(paths.clientKey, clientKey.privateKey, { mode: 0o600 });
  await writeFile(paths.clientPublicKey, clientKey.publicKey, { mode: 0o644 });
}

async function bootHost(record: HostRecord, fsDir: string, publicKey: string): Promise<void> {
  const initPid = record.initPid as number;
  const veth = vethNames(record.name);
  const ipStep = `wire ${record.name} to the root namespace`;
  await mustRun(ipStep, 'ip', [
    'link',
    'add',
    veth.root,
    'type',
    'veth',
    'peer',
    'name',
    veth.peer,
    'netns',
    `${initPid}`,
  ]);
  await mustRun(ipStep, 'ip', ['addr', 'add', `${GATEWAY_IP}/32`, 'peer', `${record.ip}/32`, 'dev', veth.root]);
  await mustRun(ipStep, 'ip', ['link', 'set', veth.root, 'up']);
  const env = { OSL_NAME: record.name, OSL_IP: record.ip, OSL_PEER: veth.peer, OSL_FS: fsDir, OSL_PUBKEY: publicKey };
  await mustRun(`set up ${record.name}`, 'nsenter', nsenterArgs(initPid, ['/bin/sh', '-s']), {
    input: SETUP_SCRIPT,
    env,
  });
  await waitForTcp(record.ip, SSH_PORT, SSHD_READY_TIMEOUT_MS);
}

/** A handle on a running host, from its record (also used to reattach to hosts started by the CLI). */
export function openHost(stateRoot: string, record: HostRecord): LabHost {
  const paths = hostPaths(stateRoot, record.name);
  const info: LabHostInfo = {
    name: record.name,
    ip: record.ip,
    sshPort: SSH_PORT,
    user: SSH_USER,
    privateKeyPath: paths.clientKey,
    stateDir: paths.dir,
  };
  const initPid = (): number => {
    if (record.initPid === null || labHostOfProcess(record.initPid) !== record.name) {
      throw new Error(`lab host ${record.name} is not running (its init process is gone)`);
    }
    return record.initPid;
  };
  return {
    info,
    exec: async (command, options = {}) =>
      runCommand('nsenter', nsenterArgs(initPid(), ['/bin/sh', '-c', command]), {
        env: { HOME: '/root', USER: 'root' },
        ...options,
      }),
    reset: async () => {
      const env = { OSL_NAME: record.name, OSL_IP: record.ip };
      await mustRun(`reset ${record.name}`, 'nsenter', nsenterArgs(initPid(), ['/bin/sh', '-s']), {
        input: RESET_SCRIPT,
        env,
      });
      await waitForTcp(record.ip, SSH_PORT, SSHD_READY_TIMEOUT_MS);
    },
    destroy: async () => {
      const known = [record.holderPid, record.initPid].filter((pid): pid is number => pid !== null);
      await teardownHost(stateRoot, record.name, known);
    },
  };
}
