import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GATEWAY_IP } from '../hosts/host-layout';
import type { LabHost } from '../hosts/lab-host';
import { type AgentSnapshot, prepareAuditedAgentDb, readAgentHealCommands, readAgentSnapshot } from './agent-audit';
import { copyAgentBundle } from './agent-bundle';
import { LAB_AGENT_CHECKS } from './appliance-process';
import { type LabProcess, sharedHostDir, spawnInHost } from './processes';

/** The real `osiris-agent` installed on a lab host, its state where both the host and the lab can read it. */
export interface LabAgent {
  readonly host: LabHost;
  /** Agent id once enrolled (from its identity file). */
  agentId(): Promise<string | null>;
  start(): Promise<void>;
  /** SIGTERM (the service manager's stop); SIGKILL after 15 s. */
  stop(): Promise<void>;
  isRunning(): boolean;
  /** How many times the process was started. */
  readonly starts: number;
  snapshot(): Promise<AgentSnapshot>;
  /** The heal commands the agent ran, from its own database. */
  healCommands(): ReturnType<typeof readAgentHealCommands>;
  logFile: string;
}

/**
 * Installs the agent on `host`: a unique machine id, its config (the appliance at the lab gateway,
 * the pinned CA fingerprint, the token file) and its database with the lab's audit trigger, all in
 * the host's bind-mounted state dir (`/run/.osl-state/osiris-agent` inside).
 */
export async function installLabAgent(params: {
  host: LabHost;
  appliancePort: number;
  token: string;
  caFingerprint: string;
}): Promise<LabAgent> {
  const { host } = params;
  const dir = sharedHostDir(host, 'osiris-agent');
  await mkdir(join(dir.outside, 'data'), { recursive: true, mode: 0o700 });
  const machineId = randomBytes(16).toString('hex');
  const written = await host.exec(`printf '%s\\n' '${machineId}' > /etc/machine-id`);
  if (written.exitCode !== 0) throw new Error(`cannot write the machine id on ${host.info.name}: ${written.stderr}`);
  await writeFile(join(dir.outside, 'token'), `${params.token}\n`, { mode: 0o600 });
  const config = {
    appliance: `${GATEWAY_IP}:${params.appliancePort}`,
    data_dir: `${dir.inside}/data`,
    ca_fingerprint_sha256: params.caFingerprint,
    enrollment_token_file: `${dir.inside}/token`,
    checks: LAB_AGENT_CHECKS.map((check_id) => ({ check_id })),
  };
  await writeFile(join(dir.outside, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const dbPath = join(dir.outside, 'data', 'agent.db');
  await prepareAuditedAgentDb(dbPath);
  // The agent runs from a copy inside the host's shared dir: the repository may be hidden there.
  const entry = await copyAgentBundle(join(dir.outside, 'bin'));
  const logFile = join(dir.outside, 'agent.log');
  let running: LabProcess | null = null;
  let starts = 0;
  return {
    host,
    logFile,
    get starts() {
      return starts;
    },
    async agentId() {
      const file = join(dir.outside, 'data', 'identity.json');
      if (!existsSync(file)) return null;
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { agent_id?: unknown };
      return typeof parsed.agent_id === 'string' ? parsed.agent_id : null;
    },
    async start() {
      if (running) throw new Error(`the agent on ${host.info.name} already runs`);
      running = await spawnInHost(
        host,
        [process.execPath, `${dir.inside}/bin/${entry}`, '--config', `${dir.inside}/config.json`],
        logFile,
      );
      starts++;
      const self = running;
      void self.exited.then(() => {
        if (running === self) running = null;
      });
    },
    async stop() {
      const current = running;
      if (!current) return;
      await current.stop('SIGTERM', 15_000);
      running = null;
    },
    isRunning: () => running !== null,
    snapshot: () => readAgentSnapshot(dbPath),
    healCommands: () => readAgentHealCommands(dbPath),
  };
}
