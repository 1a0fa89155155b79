import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer } from '@osiris/central/testing';
import { createCleanup } from '../export/export-system';
import { GATEWAY_IP } from '../hosts/host-layout';
import { createLab } from '../hosts/lab';
import type { LabHost } from '../hosts/lab-host';
import {
  type ApplianceSetup,
  createEnrollmentToken,
  readApplianceState,
  startApplianceProcess,
  writeApplianceConfig,
} from './appliance-process';
import { hardenHost } from './heal-host';
import { installLabAgent, type LabAgent } from './lab-agent';
import { freePort, waitFor } from './lab-wait';

export interface HealLabSystem {
  central: CentralServer;
  siteId: string;
  applianceId: string;
  setup: ApplianceSetup;
  host: LabHost;
  agent: LabAgent;
  agentId: string;
  /** Stops everything and removes the work dir; keeps the logs (and says where) when `keepLogs`. */
  close(keepLogs: boolean): Promise<{ keptDir: string | null; failures: string[] }>;
}

/**
 * One site for the heal lab: central, one lab host hardened so the agent's firewall and sshd
 * checks pass, the appliance daemon as its own process (agent endpoint on the lab gateway, no tier
 * in its config: the site's tier comes from central) and the real agent on the host, enrolled.
 */
export async function startHealLabSystem(params: {
  backend: 'pglite' | 'postgres';
  progress: (line: string) => void;
}): Promise<HealLabSystem> {
  const { progress } = params;
  const cleanup = createCleanup();
  const dir = await mkdtemp(join(tmpdir(), 'osiris-lab-agent-heal-'));
  let agent: LabAgent | null = null;
  let keep = false;
  cleanup.add('work dir', () => (keep ? Promise.resolve() : rm(dir, { recursive: true, force: true })));
  const close = async (keepLogs: boolean) => {
    keep = keepLogs;
    if (keepLogs && agent) await copyFile(agent.logFile, join(dir, 'agent.log')).catch(() => undefined);
    const failures = await cleanup.run();
    return { keptDir: keepLogs ? dir : null, failures };
  };
  try {
    const central = await startCentralServer(params.backend);
    cleanup.add('central', () => central.close());
    const { siteId } = await central.createSite('lab-agent-heal');

    const host = await createLab().createHost();
    cleanup.add(`lab host ${host.info.name}`, () => host.destroy());
    await hardenHost(host);
    progress(`lab host ${host.info.name} up and hardened`);

    const setup: ApplianceSetup = {
      configFile: join(dir, 'appliance.yaml'),
      dataDir: join(dir, 'appliance-data'),
      logFile: join(dir, 'appliance.log'),
      agentPort: await freePort(GATEWAY_IP),
    };
    await writeApplianceConfig({ setup, centralUrl: central.url, provisionCode: await central.provisionCode(siteId) });
    const appliance = await startApplianceProcess(setup);
    cleanup.add('appliance', () => appliance.stop('SIGTERM', 30_000));
    const applianceId = readApplianceState(setup.dataDir).applianceId;
    if (!applianceId) throw new Error('the appliance runs but is not registered');
    progress(`appliance ${applianceId} running`);

    const { token, caFingerprint } = await createEnrollmentToken(setup, 1);
    const installed = await installLabAgent({ host, appliancePort: setup.agentPort, token, caFingerprint });
    agent = installed;
    cleanup.add('agent', () => installed.stop());
    await installed.start();
    const agentId = await waitFor('the agent to enroll', 120_000, async () => {
      if (!installed.isRunning()) {
        const log = await readFile(installed.logFile, 'utf8').catch(() => '');
        throw new Error(`the agent exited:\n${log.slice(-1500)}`);
      }
      return installed.agentId();
    });
    progress(`agent ${agentId} enrolled`);
    return { central, siteId, applianceId, setup, host, agent: installed, agentId, close };
  } catch (error) {
    const { keptDir } = await close(true);
    throw new Error(`${(error as Error).message} (logs kept in ${keptDir})`, { cause: error });
  }
}
