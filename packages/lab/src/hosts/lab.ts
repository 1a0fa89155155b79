import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_STATE_ROOT,
  FIRST_HOST_INDEX,
  HOST_NAME_PATTERN,
  hostName,
  hostPaths,
  LAST_HOST_INDEX,
} from './host-layout';
import { readHostRecord } from './host-record';
import { type LabHost, openHost, startHost } from './lab-host';
import { labHostOfProcess, processStartTime } from './proc';
import { mustRun, runCommand } from './run-command';
import { sweepLab } from './sweep';

export interface LabOptions {
  /** Where host state lives (overlay layers, snapshot, client key, host.json); default /tmp/osiris-lab. */
  stateRoot?: string;
  /** Hosts outlive this process (the CLI's `hosts up`); otherwise sweep() treats them as leftovers once it exits. */
  isDetached?: boolean;
}

interface ClientKey {
  privateKey: string;
  publicKey: string;
}

/** One ed25519 client key per lab run, generated in a private temp dir that is removed at once. */
async function generateClientKey(): Promise<ClientKey> {
  const dir = await mkdtemp(join(tmpdir(), 'osiris-lab-key-'));
  try {
    const file = join(dir, 'id_ed25519');
    await mustRun('generate the lab client key', 'ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'osiris-lab',
      '-f',
      file,
    ]);
    return { privateKey: await readFile(file, 'utf8'), publicKey: (await readFile(`${file}.pub`, 'utf8')).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Claims the lowest free host number by creating its state dir (mkdir is atomic across processes). */
async function claimIndex(stateRoot: string): Promise<number> {
  const { stdout } = await runCommand('ip', ['-o', 'link', 'show']);
  for (let index = FIRST_HOST_INDEX; index <= LAST_HOST_INDEX; index++) {
    const name = hostName(index);
    if (stdout.includes(` ${name}-`)) continue;
    try {
      await mkdir(hostPaths(stateRoot, name).dir);
      return index;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`no free lab host address in ${stateRoot}; run \`npx osiris-lab hosts down\` or sweep()`);
}

export function createLab(options: LabOptions = {}) {
  const stateRoot = options.stateRoot ?? DEFAULT_STATE_ROOT;
  const ownStartTime = processStartTime(process.pid);
  const owner = options.isDetached || ownStartTime === null ? null : { pid: process.pid, startTime: ownStartTime };
  let clientKey: Promise<ClientKey> | undefined;

  return {
    stateRoot,
    async createHost(): Promise<LabHost> {
      await mkdir(stateRoot, { recursive: true, mode: 0o700 });
      clientKey ??= generateClientKey();
      const key = await clientKey;
      const index = await claimIndex(stateRoot);
      return startHost({ stateRoot, index, clientKey: key, owner });
    },
    /** Handles on every running host in the state root, whoever started them. */
    async listHosts(): Promise<LabHost[]> {
      const hosts: LabHost[] = [];
      const names = await readdir(stateRoot).catch((): string[] => []);
      for (const name of names.filter((entry) => HOST_NAME_PATTERN.test(entry)).sort()) {
        const record = await readHostRecord(hostPaths(stateRoot, name).record);
        if (record?.initPid && labHostOfProcess(record.initPid) === name) hosts.push(openHost(stateRoot, record));
      }
      return hosts;
    },
    sweep: (sweepOptions: { isAll?: boolean } = {}) => sweepLab(stateRoot, sweepOptions),
  };
}
