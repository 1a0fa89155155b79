import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer } from '@osiris/central/testing';
import { createCleanup } from '../export/export-system';
import { GATEWAY_IP } from '../hosts/host-layout';
import { createLab } from '../hosts/lab';
import {
  type ApplianceSetup,
  createEnrollmentToken,
  readApplianceState,
  startApplianceProcess,
  writeApplianceConfig,
} from './appliance-process';
import { installLabAgent, type LabAgent } from './lab-agent';
import { freePort, sleep, waitFor } from './lab-wait';
import type { LabProcess } from './processes';
import { type AgentVerdict, readCentralAgentBundles, verifyAgent } from './verify';

export interface AgentsLabOptions {
  agents: number;
  outageSeconds: number;
  /** Agents restarted (stopped, then started again) half-way through the outage. */
  restartAgents: number;
  /** After the appliance is back: how long every queue may take to drain and reach central. */
  drainTimeoutSeconds: number;
  backend: 'pglite' | 'postgres';
  progress: (line: string) => void;
}

interface AgentsLabSummary {
  agents: number;
  resultsProduced: number;
  onAppliance: number;
  inCentral: number;
  duplicates: number;
  missing: number;
  outOfOrder: number;
  detectionTimeMismatches: number;
  outageSeconds: number;
  ok: boolean;
  producedDuringOutage: number;
  restartedAgents: number;
  pendingAtSnapshot: number;
  agentAnomalies: number;
  drainSeconds: number | null;
}

export interface AgentsLabReport {
  summary: AgentsLabSummary;
  perAgent: AgentVerdict[];
  /** Kept only when the run failed: logs of the appliance and the agents. */
  keptDir: string | null;
}

/** An agent that exited on its own (bad config, refused enrollment) fails the run at once, with its log. */
async function assertAgentsRun(agents: readonly LabAgent[]): Promise<void> {
  for (const agent of agents) {
    if (agent.isRunning()) continue;
    const log = await readFile(agent.logFile, 'utf8').catch(() => '');
    throw new Error(`the agent on ${agent.host.info.name} exited:\n${log.slice(-1500)}`);
  }
}

/** One pass of the comparison: agent snapshots first, then the appliance's store, then central. */
async function verifyAll(params: {
  agents: readonly LabAgent[];
  agentIds: readonly string[];
  setup: ApplianceSetup;
  central: CentralServer;
  applianceId: string;
  outage: { fromMs: number; toMs: number };
}): Promise<AgentVerdict[]> {
  const snapshots = await Promise.all(params.agents.map((agent) => agent.snapshot()));
  const appliance = readApplianceState(params.setup.dataDir);
  const central = await readCentralAgentBundles(params.central, params.applianceId);
  return params.agents.map((agent, i) => {
    const agentId = params.agentIds[i] ?? '';
    const snapshot = snapshots[i];
    if (!snapshot) throw new Error('missing snapshot');
    // Results produced after the snapshot are judged by the next pass, not counted as strays.
    const isKnown = (seq: number) => seq <= snapshot.lastSeq;
    return verifyAgent({
      host: agent.host.info.name,
      agentId,
      starts: agent.starts,
      snapshot,
      appliance: (appliance.results.get(agentId) ?? []).filter((r) => isKnown(r.seq)),
      central: (central.get(agentId) ?? []).filter((b) => isKnown(b.agentSeq)),
      outage: params.outage,
    });
  });
}

function summarize(verdicts: readonly AgentVerdict[], options: AgentsLabOptions, drainSeconds: number | null) {
  const sum = (key: keyof AgentVerdict) => verdicts.reduce((total, v) => total + Number(v[key]), 0);
  const summary: AgentsLabSummary = {
    agents: verdicts.length,
    resultsProduced: sum('resultsProduced'),
    onAppliance: sum('onAppliance'),
    inCentral: sum('inCentral'),
    duplicates: sum('duplicates'),
    missing: sum('missing'),
    outOfOrder: sum('outOfOrder'),
    detectionTimeMismatches: sum('detectionTimeMismatches'),
    outageSeconds: options.outageSeconds,
    ok: false,
    producedDuringOutage: sum('producedDuringOutage'),
    restartedAgents: verdicts.filter((v) => v.starts > 1).length,
    pendingAtSnapshot: sum('pendingAtSnapshot'),
    agentAnomalies: sum('agentAnomalies'),
    drainSeconds,
  };
  summary.ok =
    drainSeconds !== null &&
    summary.agents === options.agents &&
    summary.duplicates + summary.missing + summary.outOfOrder + summary.detectionTimeMismatches === 0 &&
    summary.agentAnomalies === 0 &&
    summary.producedDuringOutage > 0 &&
    summary.restartedAgents === Math.min(options.restartAgents, options.agents) &&
    verdicts.every((v) => v.inCentral > 0);
  return summary;
}

/**
 * Issue 9's acceptance scenario: central, the appliance daemon as its own process with its agent
 * endpoint on the lab gateway, and the real `osiris-agent` on N lab hosts. Agents enroll with a
 * token made by the appliance's CLI and report; the appliance is killed (SIGKILL) for the outage,
 * some agents restart meanwhile, the appliance comes back; then every result each agent produced
 * must be on the appliance and in central exactly once, in order, with its detection time.
 */
export async function runAgentsLab(options: AgentsLabOptions): Promise<AgentsLabReport> {
  const { progress } = options;
  const cleanup = createCleanup();
  const dir = await mkdtemp(join(tmpdir(), 'osiris-lab-agents-'));
  let keep = false;
  cleanup.add('work dir', () => (keep ? Promise.resolve() : rm(dir, { recursive: true, force: true })));
  const agents: LabAgent[] = [];
  try {
    const central = await startCentralServer(options.backend);
    cleanup.add('central', () => central.close());
    const { siteId } = await central.createSite('lab-agents');
    progress(`central at ${central.url} (${options.backend})`);

    const lab = createLab();
    const hosts = [];
    for (let i = 0; i < options.agents; i++) {
      const host = await lab.createHost();
      cleanup.add(`lab host ${host.info.name}`, () => host.destroy());
      hosts.push(host);
    }
    progress(`${hosts.length} lab host(s) up: ${hosts.map((h) => h.info.name).join(', ')}`);

    const setup: ApplianceSetup = {
      configFile: join(dir, 'appliance.yaml'),
      dataDir: join(dir, 'appliance-data'),
      logFile: join(dir, 'appliance.log'),
      agentPort: await freePort(GATEWAY_IP),
    };
    await writeApplianceConfig({ setup, centralUrl: central.url, provisionCode: await central.provisionCode(siteId) });
    let appliance: LabProcess | null = await startApplianceProcess(setup);
    cleanup.add('appliance', () => appliance?.stop('SIGTERM', 30_000) ?? Promise.resolve());
    const applianceId = readApplianceState(setup.dataDir).applianceId;
    if (!applianceId) throw new Error('the appliance runs but is not registered');
    progress(`appliance ${applianceId} (pid ${appliance.pid}), agents at ${GATEWAY_IP}:${setup.agentPort}`);

    const { token, caFingerprint } = await createEnrollmentToken(setup, options.agents);
    progress(`enrollment token created (${options.agents} uses), CA ${caFingerprint.slice(0, 23)}…`);
    for (const host of hosts) {
      const agent = await installLabAgent({ host, appliancePort: setup.agentPort, token, caFingerprint });
      cleanup.add(`agent on ${host.info.name}`, () => agent.stop());
      agents.push(agent);
    }
    for (const agent of agents) await agent.start();
    progress(`${agents.length} osiris-agent process(es) started`);

    const agentIds: string[] = [];
    await waitFor('every agent enrolled and its first results in central', 180_000, async () => {
      agentIds.length = 0;
      await assertAgentsRun(agents);
      for (const agent of agents) {
        const id = await agent.agentId();
        if (!id) return false;
        agentIds.push(id);
      }
      const central_ = await readCentralAgentBundles(central, applianceId);
      return agentIds.every((id) => (central_.get(id)?.length ?? 0) > 0);
    });
    progress(`every agent enrolled and reported: ${agentIds.join(', ')}`);

    // The outage: the appliance dies without warning; agents keep checking and queue.
    await appliance.stop('SIGKILL');
    appliance = null;
    const fromMs = Date.now();
    progress(`appliance killed; outage of ${options.outageSeconds} s`);
    const restartAt = fromMs + (options.outageSeconds * 1000) / 2;
    let hasRestarted = false;
    while (Date.now() < fromMs + options.outageSeconds * 1000) {
      if (!hasRestarted && Date.now() >= restartAt) {
        hasRestarted = true;
        for (const agent of agents.slice(0, options.restartAgents)) {
          await agent.stop();
          await agent.start();
          progress(`agent on ${agent.host.info.name} restarted during the outage`);
        }
      }
      await sleep(Math.min(10_000, Math.max(0, fromMs + options.outageSeconds * 1000 - Date.now())));
      await assertAgentsRun(agents);
      const snapshots = await Promise.all(agents.map((a) => a.snapshot()));
      const queued = snapshots.reduce((n, s) => n + s.queued.size, 0);
      progress(`outage ${Math.round((Date.now() - fromMs) / 1000)} s: ${queued} result(s) queued on the agents`);
    }
    appliance = await startApplianceProcess(setup);
    const toMs = Date.now();
    progress(`appliance back (pid ${appliance.pid}) after ${Math.round((toMs - fromMs) / 1000)} s`);

    let verdicts: AgentVerdict[] = [];
    let drainSeconds: number | null = null;
    const drainDeadline = toMs + options.drainTimeoutSeconds * 1000;
    const outage = { fromMs, toMs };
    for (;;) {
      await assertAgentsRun(agents);
      verdicts = await verifyAll({ agents, agentIds, setup, central, applianceId, outage });
      const pending = verdicts.reduce((n, v) => n + v.pendingAtSnapshot, 0);
      const missing = verdicts.reduce((n, v) => n + v.missing, 0);
      const outageDelivered = verdicts.every((v) => v.pendingAtSnapshot === 0);
      if (outageDelivered && missing === 0) {
        drainSeconds = Math.round((Date.now() - toMs) / 1000);
        break;
      }
      progress(`draining: ${pending} result(s) still queued, ${missing} not yet stored or in central`);
      if (Date.now() > drainDeadline) break;
      await sleep(2_000);
    }
    const summary = summarize(verdicts, options, drainSeconds);
    if (!summary.ok) {
      keep = true;
      for (const agent of agents)
        await copyFile(agent.logFile, join(dir, `agent-${agent.host.info.name}.log`)).catch(() => undefined);
      progress(`run failed; logs kept in ${dir}`);
    }
    return { summary, perAgent: verdicts, keptDir: keep ? dir : null };
  } catch (error) {
    keep = true;
    for (const agent of agents)
      await copyFile(agent.logFile, join(dir, `agent-${agent.host.info.name}.log`)).catch(() => undefined);
    throw new Error(`${(error as Error).message} (logs kept in ${dir})`, { cause: error });
  } finally {
    const failures = await cleanup.run();
    for (const failure of failures) progress(`cleanup: ${failure}`);
  }
}
