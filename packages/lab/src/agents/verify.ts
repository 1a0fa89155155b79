import type { CentralServer } from '@osiris/central/testing';
import type { AgentSnapshot } from './agent-audit';
import type { ApplianceResultRow } from './appliance-process';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Agent statuses the appliance turns into evidence (agent-evidence.ts); UNSUPPORTED is stored, not evidence. */
const EVIDENCE_STATUSES = new Set(['PASS', 'FAIL', 'ERROR']);

export interface CentralAgentBundle {
  /** Central's chain position: its order. */
  seq: number;
  hostId: string;
  agentSeq: number;
  agentCheckId: string;
  startedAt: string;
  agentDetectedAt: string;
}

/** Every agent evidence bundle of the appliance in central's database (evidence_bundles), in chain order. */
export async function readCentralAgentBundles(central: CentralServer, applianceId: string) {
  if (!UUID.test(applianceId)) throw new Error(`not an appliance id: ${applianceId}`);
  const rows = await central.t.database.withConnection((run) =>
    run(`SELECT seq, host_id::text AS host_id, bundle -> 'observed' ->> 'agentSeq' AS agent_seq,
           bundle -> 'observed' ->> 'agentCheckId' AS agent_check_id, bundle ->> 'startedAt' AS started_at,
           bundle -> 'observed' ->> 'agentDetectedAt' AS agent_detected_at
         FROM evidence_bundles
         WHERE appliance_id = '${applianceId}' AND bundle -> 'observed' ? 'agentSeq'
         ORDER BY seq`),
  );
  const byHost = new Map<string, CentralAgentBundle[]>();
  for (const row of rows) {
    const bundle: CentralAgentBundle = {
      seq: Number(row.seq),
      hostId: String(row.host_id),
      agentSeq: Number(row.agent_seq),
      agentCheckId: String(row.agent_check_id),
      startedAt: String(row.started_at),
      agentDetectedAt: String(row.agent_detected_at),
    };
    const list = byHost.get(bundle.hostId) ?? [];
    list.push(bundle);
    byHost.set(bundle.hostId, list);
  }
  return byHost;
}

export interface AgentVerdict {
  host: string;
  agentId: string;
  starts: number;
  resultsProduced: number;
  /** Produced while the appliance was down. */
  producedDuringOutage: number;
  /** Still queued at the snapshot (not yet acknowledged): may or may not have arrived, never twice. */
  pendingAtSnapshot: number;
  onAppliance: number;
  inCentral: number;
  duplicates: number;
  missing: number;
  outOfOrder: number;
  detectionTimeMismatches: number;
  /** Problems of the agent's own record: seq gaps or repeats, overflow drops. */
  agentAnomalies: number;
  problems: string[];
}

const sameInstant = (iso: string, ms: number) => Date.parse(iso) === ms;

/**
 * Compares one agent's own record (its audit) with the appliance's store and central's evidence.
 * Every produced result the agent no longer queues (so the appliance acknowledged it) must be on
 * the appliance exactly once and, if it is evidence (PASS/FAIL/ERROR), in central exactly once;
 * both in the agent's order and with the agent's detection time. Results still queued at the
 * snapshot may be anywhere, but never twice.
 */
export function verifyAgent(params: {
  host: string;
  agentId: string;
  starts: number;
  snapshot: AgentSnapshot;
  appliance: readonly ApplianceResultRow[];
  central: readonly CentralAgentBundle[];
  outage: { fromMs: number; toMs: number };
}): AgentVerdict {
  const { snapshot } = params;
  const problems: string[] = [];
  const note = (line: string) => {
    if (problems.length < 20) problems.push(line);
  };
  let agentAnomalies = 0;
  snapshot.produced.forEach((result, i) => {
    if (result.seq !== i + 1) {
      agentAnomalies++;
      note(`agent: result #${i + 1} has seq ${result.seq}`);
    }
  });
  if (snapshot.lastSeq !== snapshot.produced.length) {
    agentAnomalies++;
    note(`agent: last_seq ${snapshot.lastSeq} but ${snapshot.produced.length} results produced`);
  }
  if (snapshot.droppedTotal !== 0) {
    agentAnomalies++;
    note(`agent: ${snapshot.droppedTotal} results dropped by the queue bound`);
  }
  let duplicates = 0;
  let missing = 0;
  let outOfOrder = 0;
  let detectionTimeMismatches = 0;
  const countBySeq = <T>(items: readonly T[], seqOf: (item: T) => number) => {
    const counts = new Map<number, T[]>();
    for (const item of items) counts.set(seqOf(item), [...(counts.get(seqOf(item)) ?? []), item]);
    return counts;
  };
  const onAppliance = countBySeq(params.appliance, (r) => r.seq);
  const inCentral = countBySeq(params.central, (b) => b.agentSeq);
  const produced = new Map(snapshot.produced.map((r) => [r.seq, r]));
  for (const [where, counts] of [
    ['appliance', onAppliance],
    ['central', inCentral],
  ] as const) {
    for (const [seq, items] of counts) {
      if (items.length > 1) {
        duplicates += items.length - 1;
        note(`${where}: seq ${seq} ${items.length} times`);
      }
      if (!produced.has(seq)) {
        duplicates += 1;
        note(`${where}: seq ${seq} the agent never produced`);
      }
    }
  }
  for (const result of snapshot.produced) {
    const isPending = snapshot.queued.has(result.seq);
    const stored = onAppliance.get(result.seq)?.[0];
    if (!stored) {
      if (!isPending) {
        missing++;
        note(`appliance: seq ${result.seq} (${result.checkId}) acknowledged but not stored`);
      }
    } else {
      if (!sameInstant(stored.detectedAt, result.detectedAtMs) || stored.checkId !== result.checkId) {
        detectionTimeMismatches++;
        note(
          `appliance: seq ${result.seq} ${stored.checkId} detected ${stored.detectedAt}, agent ${result.detectedAtMs}`,
        );
      }
    }
    const isEvidence = EVIDENCE_STATUSES.has(result.status);
    const bundle = inCentral.get(result.seq)?.[0];
    if (!bundle) {
      if (isEvidence && !isPending) {
        missing++;
        note(`central: seq ${result.seq} (${result.checkId}, ${result.status}) has no evidence`);
      }
    } else {
      if (!isEvidence) {
        duplicates++;
        note(`central: seq ${result.seq} is ${result.status} yet has evidence`);
      }
      const isSame =
        sameInstant(bundle.startedAt, result.detectedAtMs) &&
        sameInstant(bundle.agentDetectedAt, result.detectedAtMs) &&
        bundle.agentCheckId === result.checkId;
      if (!isSame) {
        detectionTimeMismatches++;
        note(`central: seq ${result.seq} started ${bundle.startedAt}, agent detected ${result.detectedAtMs}`);
      }
    }
  }
  for (const [where, seqs] of [
    ['appliance', params.appliance.map((r) => r.seq)],
    ['central', params.central.map((b) => b.agentSeq)],
  ] as const) {
    for (let i = 1; i < seqs.length; i++) {
      if ((seqs[i] ?? 0) <= (seqs[i - 1] ?? 0)) {
        outOfOrder++;
        note(`${where}: seq ${seqs[i]} stored after seq ${seqs[i - 1]}`);
      }
    }
  }
  return {
    host: params.host,
    agentId: params.agentId,
    starts: params.starts,
    resultsProduced: snapshot.produced.length,
    producedDuringOutage: snapshot.produced.filter(
      (r) => r.detectedAtMs >= params.outage.fromMs && r.detectedAtMs <= params.outage.toMs,
    ).length,
    pendingAtSnapshot: snapshot.queued.size,
    onAppliance: params.appliance.length,
    inCentral: params.central.length,
    duplicates,
    missing,
    outOfOrder,
    detectionTimeMismatches,
    agentAnomalies,
    problems,
  };
}
