import { openStore } from '@osiris/appliance';
import type { CentralServer } from '@osiris/central/testing';
import type { EvidenceBundle } from '@osiris/protocol';

/**
 * The heal lab's view of the appliance's SQLite store (read on a connection of its own while the
 * daemon runs, as the appliance's CLI does) and of central (its HTTP API, as the admin).
 */
type AgentTier = 'monitor_only' | 'self_heal' | 'full_remediation';

export interface ApplianceHealState {
  /** The site's agent tier the appliance holds from central's order (null: none received). */
  storedTier: string | null;
  configVersion: number;
  agent: { lastHeartbeatAt: string | null; configVersion: number } | null;
  results: { seq: number; checkId: string; status: string; detectedAt: string; receivedAt: string }[];
  incidents: {
    incidentId: string;
    checkId: string;
    status: string;
    occurrences: number;
    openedAt: string;
    closedAt: string | null;
    fixedTier: string | null;
  }[];
  healCommands: {
    commandId: string;
    runbookId: string;
    checkId: string;
    requiredTier: string;
    incidentId: string | null;
    issuedAt: string;
    resultStatus: string | null;
    result: {
      before?: { status?: string; actual?: string };
      after?: { status?: string; actual?: string };
      output?: string;
    } | null;
  }[];
  attempts: { incidentId: string; tier: string; runbookId: string | null; outcome: string }[];
}

/** Everything the appliance holds about one agent's results, incidents and heal commands. */
export function readApplianceHealState(dataDir: string, agentId: string): ApplianceHealState {
  const store = openStore(dataDir);
  try {
    const { db } = store;
    const agent = db.prepare('SELECT last_heartbeat_at, config_version FROM agents WHERE agent_id = ?').get(agentId) as
      | { last_heartbeat_at: string | null; config_version: number }
      | undefined;
    const results = db
      .prepare(
        'SELECT seq, check_id, status, detected_at, received_at FROM agent_results WHERE agent_id = ? ORDER BY seq',
      )
      .all(agentId) as { seq: number; check_id: string; status: string; detected_at: string; received_at: string }[];
    const incidents = db
      .prepare(
        `SELECT incident_id, check_id, status, occurrences, opened_at, closed_at, fixed_tier
         FROM incidents WHERE host_id = ? ORDER BY opened_at, incident_id`,
      )
      .all(agentId) as {
      incident_id: string;
      check_id: string;
      status: string;
      occurrences: number;
      opened_at: string;
      closed_at: string | null;
      fixed_tier: string | null;
    }[];
    const commands = db
      .prepare(
        `SELECT command_id, runbook_id, check_id, required_tier, incident_id, issued_at, result_status, result
         FROM agent_heal_commands WHERE agent_id = ? ORDER BY issued_at, command_id`,
      )
      .all(agentId) as {
      command_id: string;
      runbook_id: string;
      check_id: string;
      required_tier: string;
      incident_id: string | null;
      issued_at: string;
      result_status: string | null;
      result: string | null;
    }[];
    const attempts = db
      .prepare(
        'SELECT incident_id, tier, runbook_id, outcome FROM healing_attempts WHERE host_id = ? ORDER BY started_at',
      )
      .all(agentId) as { incident_id: string; tier: string; runbook_id: string | null; outcome: string }[];
    return {
      storedTier: store.settings.get('agents.tier'),
      configVersion: Number(store.settings.get('agents.configVersion') ?? 0),
      agent: agent ? { lastHeartbeatAt: agent.last_heartbeat_at, configVersion: Number(agent.config_version) } : null,
      results: results.map((r) => ({
        seq: Number(r.seq),
        checkId: r.check_id,
        status: r.status,
        detectedAt: r.detected_at,
        receivedAt: r.received_at,
      })),
      incidents: incidents.map((i) => ({
        incidentId: i.incident_id,
        checkId: i.check_id,
        status: i.status,
        occurrences: Number(i.occurrences),
        openedAt: i.opened_at,
        closedAt: i.closed_at,
        fixedTier: i.fixed_tier,
      })),
      healCommands: commands.map((c) => ({
        commandId: c.command_id,
        runbookId: c.runbook_id,
        checkId: c.check_id,
        requiredTier: c.required_tier,
        incidentId: c.incident_id,
        issuedAt: c.issued_at,
        resultStatus: c.result_status,
        result:
          c.result === null ? null : (JSON.parse(c.result) as ApplianceHealState['healCommands'][number]['result']),
      })),
      attempts: attempts.map((a) => ({
        incidentId: a.incident_id,
        tier: a.tier,
        runbookId: a.runbook_id,
        outcome: a.outcome,
      })),
    };
  } finally {
    store.close();
  }
}

/** `PUT /v1/sites/:id/agent-tier` as the partner's admin would; central sends the appliance a signed order. */
export async function setSiteAgentTier(central: CentralServer, siteId: string, tier: AgentTier): Promise<void> {
  const response = await central.admin.request({
    method: 'PUT',
    url: `/v1/sites/${siteId}/agent-tier`,
    payload: { tier },
  });
  if (response.statusCode !== 200) throw new Error(`PUT agent-tier: HTTP ${response.statusCode} ${response.body}`);
  const body = response.json() as { tier?: string };
  if (body.tier !== tier) throw new Error(`PUT agent-tier answered ${response.body}`);
}

/** The agent's bundles in central (through its evidence API), in chain order. */
export async function readCentralAgentEvidence(
  central: CentralServer,
  applianceId: string,
  agentId: string,
): Promise<EvidenceBundle[]> {
  const records = await central.evidence(applianceId);
  return records.map((record) => record.signed.bundle).filter((bundle) => bundle.hostId === agentId);
}
