import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openStore } from '@osiris/appliance';
import { GATEWAY_IP } from '../hosts/host-layout';
import { runCommand } from '../hosts/run-command';
import { type LabProcess, spawnLocal } from './processes';

/** packages/ of this repository (the lab runs the real appliance and agent from their sources). */
export const PACKAGES_DIR = fileURLToPath(new URL('../../../', import.meta.url));
export const APPLIANCE_BIN = `${PACKAGES_DIR}appliance/bin/osiris-appliance.mjs`;

/** Checks every lab agent runs: Linux collectors that answer PASS/FAIL/ERROR on a lab host, so each result is evidence. */
export const LAB_AGENT_CHECKS = ['firewall', 'ssh_server', 'disk_encryption'] as const;
/** The shortest intervals the appliance accepts: many results pile up during an outage. */
const RESULTS_INTERVAL_SECONDS = 15;
const HEARTBEAT_INTERVAL_SECONDS = 15;

export interface ApplianceSetup {
  configFile: string;
  dataDir: string;
  logFile: string;
  agentPort: number;
}

/** The daemon's config (JSON is YAML): agents on the lab gateway, no SSH targets, quick sync. */
export async function writeApplianceConfig(params: {
  setup: ApplianceSetup;
  centralUrl: string;
  provisionCode: string;
}): Promise<void> {
  const config = {
    centralUrl: params.centralUrl,
    dataDir: params.setup.dataDir,
    hostname: 'lab-agents-appliance',
    provisionCode: params.provisionCode,
    logLevel: 'warn',
    checkinIntervalSeconds: 5,
    targets: [],
    sync: { backoffInitialSeconds: 0.1, backoffMaxSeconds: 2, coalesceMs: 200 },
    statusPage: { enabled: false },
    agents: {
      enabled: true,
      host: GATEWAY_IP,
      port: params.setup.agentPort,
      serverNames: [GATEWAY_IP],
      heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
      resultsIntervalSeconds: RESULTS_INTERVAL_SECONDS,
      checks: LAB_AGENT_CHECKS.map((checkId) => ({ checkId })),
    },
  };
  await writeFile(params.setup.configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/** `osiris-appliance run` as its own process; resolves once it prints that it runs (registered, listening). */
export async function startApplianceProcess(setup: ApplianceSetup, timeoutMs = 60_000): Promise<LabProcess> {
  const before = (await readFile(setup.logFile, 'utf8').catch(() => '')).length;
  const child = spawnLocal([process.execPath, APPLIANCE_BIN, 'run', '--config', setup.configFile], setup.logFile, {
    HOME: '/root',
  });
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null = null;
  void child.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    const log = (await readFile(setup.logFile, 'utf8')).slice(before);
    if (/^appliance \S+ running/m.test(log)) return child;
    if (exitCode !== null || Date.now() > deadline) {
      await child.stop('SIGKILL');
      throw new Error(`the appliance did not start (exit ${exitCode}); log:\n${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `osiris-appliance agents token create`, as an operator would run it; the token and the CA fingerprint to pin. */
export async function createEnrollmentToken(
  setup: ApplianceSetup,
  uses: number,
): Promise<{ token: string; caFingerprint: string }> {
  const result = await runCommand(
    process.execPath,
    [
      APPLIANCE_BIN,
      'agents',
      'token',
      'create',
      '--config',
      setup.configFile,
      '--uses',
      String(uses),
      '--expires',
      '12h',
    ],
    { env: { HOME: '/root' }, timeoutMs: 60_000 },
  );
  const token = /^token (\S+)$/m.exec(result.stdout)?.[1];
  const caFingerprint = /^CA fingerprint \(SHA-256\) (\S+)$/m.exec(result.stdout)?.[1];
  if (result.exitCode !== 0 || !token || !caFingerprint)
    throw new Error(`agents token create failed (${result.exitCode}): ${result.stderr.slice(-1000)}`);
  return { token, caFingerprint };
}

export interface ApplianceResultRow {
  seq: number;
  checkId: string;
  status: string;
  detectedAt: string;
}

/**
 * What the appliance holds, read from its SQLite store on a connection of our own (as its CLI does):
 * its id, the enrolled agents by hostname, and every agent result in the order it was stored.
 */
export function readApplianceState(dataDir: string) {
  const store = openStore(dataDir);
  try {
    const applianceId = store.registration.get()?.applianceId ?? null;
    const agents = store.db.prepare('SELECT agent_id, hostname FROM agents').all() as {
      agent_id: string;
      hostname: string;
    }[];
    const rows = store.db
      .prepare('SELECT agent_id, seq, check_id, status, detected_at FROM agent_results ORDER BY rowid')
      .all() as { agent_id: string; seq: number; check_id: string; status: string; detected_at: string }[];
    const results = new Map<string, ApplianceResultRow[]>();
    for (const row of rows) {
      const list = results.get(row.agent_id) ?? [];
      list.push({ seq: Number(row.seq), checkId: row.check_id, status: row.status, detectedAt: row.detected_at });
      results.set(row.agent_id, list);
    }
    const outbox = (store.db.prepare('SELECT count(*) AS n FROM evidence_outbox').get() as { n: number }).n;
    return {
      applianceId,
      agentsByHostname: new Map(agents.map((a) => [a.hostname, a.agent_id])),
      results,
      outbox,
    };
  } finally {
    store.close();
  }
}
