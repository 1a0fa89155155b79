import type { Database } from 'better-sqlite3';

export type HealTier = 'self_heal' | 'full_remediation';

export interface StoredAgentResult {
  agentId: string;
  seq: number;
  checkId: string;
  status: string;
  /** As the agent sent it (RFC 3339 with nanoseconds when it had them). */
  detectedAt: string;
  receivedAt: string;
  /** The whole result as JSON (protobuf JSON form). */
  body: string;
}

export type ResultEntry =
  | { kind: 'result'; result: StoredAgentResult }
  | { kind: 'rejected'; seq: number; code: string; message: string };

export interface HealCommandRow {
  commandId: string;
  agentId: string;
  runbookId: string;
  checkId: string;
  params: Record<string, string>;
  requiredTier: HealTier;
  timeoutSeconds: number;
  incidentId: string | null;
  issuedAt: string;
  expiresAt: string;
  resultStatus: string | null;
  result: string | null;
}

const healRow = (r: Record<string, unknown>): HealCommandRow => ({
  commandId: String(r.command_id),
  agentId: String(r.agent_id),
  runbookId: String(r.runbook_id),
  checkId: String(r.check_id),
  params: JSON.parse(String(r.params)) as Record<string, string>,
  requiredTier: r.required_tier as HealTier,
  timeoutSeconds: Number(r.timeout_seconds),
  incidentId: r.incident_id === null ? null : String(r.incident_id),
  issuedAt: String(r.issued_at),
  expiresAt: String(r.expires_at),
  resultStatus: r.result_status === null ? null : String(r.result_status),
  result: r.result === null ? null : String(r.result),
});

/** A stored result with its receive order (rowid) and the agent's host, for the evidence pump. */
export interface ReceivedAgentResult extends StoredAgentResult {
  rowid: number;
  hostname: string;
  osFamily: string;
}

/** An on-demand check run the appliance asked an agent for, kept until its results arrive. */
export interface PendingCheckRun {
  runId: string;
  checkIds: string[];
  requestedAt: string;
  expiresAt: string;
}

/** Check results per (agent, seq), stored once, and heal commands with their results. */
export function createAgentResultsStore(db: Database) {
  const hasResult = db.prepare('SELECT 1 FROM agent_results WHERE agent_id = ? AND seq = ?');
  const hasRejected = db.prepare('SELECT 1 FROM agent_rejected_results WHERE agent_id = ? AND seq = ?');
  const insertResult = db.prepare(`
    INSERT INTO agent_results (agent_id, seq, check_id, status, detected_at, received_at, body)
    VALUES (@agentId, @seq, @checkId, @status, @detectedAt, @receivedAt, @body)`);
  const insertRejected = db.prepare(`
    INSERT INTO agent_rejected_results (agent_id, seq, code, message, received_at) VALUES (?, ?, ?, ?, ?)`);
  const selectResults = db.prepare('SELECT * FROM agent_results WHERE agent_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  const insertCommand = db.prepare(`
    INSERT INTO agent_heal_commands (command_id, agent_id, runbook_id, check_id, params, required_tier,
      timeout_seconds, incident_id, issued_at, expires_at)
    VALUES (@commandId, @agentId, @runbookId, @checkId, @params, @requiredTier, @timeoutSeconds, @incidentId,
      @issuedAt, @expiresAt)`);
  const selectPending = db.prepare(`
    SELECT * FROM agent_heal_commands
    WHERE agent_id = ? AND result_status IS NULL AND expires_at > ?
    ORDER BY issued_at, command_id`);
  const selectCommand = db.prepare('SELECT * FROM agent_heal_commands WHERE command_id = ?');
  const selectIncidentCommands = db.prepare(`
    SELECT * FROM agent_heal_commands WHERE agent_id = ? AND incident_id = ? ORDER BY issued_at, command_id`);
  const selectReceived = db.prepare(`
    SELECT r.rowid AS row_id, r.*, a.hostname, a.os_family FROM agent_results r
    JOIN agents a ON a.agent_id = r.agent_id
    WHERE r.rowid > ? ORDER BY r.rowid LIMIT ?`);
  const selectAnswered = db.prepare(`
    SELECT c.*, a.hostname, a.os_family FROM agent_heal_commands c JOIN agents a ON a.agent_id = c.agent_id
    WHERE c.result_at IS NOT NULL AND (c.result_at > @at OR (c.result_at = @at AND c.command_id > @commandId))
    ORDER BY c.result_at, c.command_id LIMIT @limit`);
  // On-demand check runs wait in the settings table (one per agent) until the agent's results carry
  // the run id, so a request survives an appliance restart and a lost heartbeat response.
  const selectCheckRun = db.prepare('SELECT value FROM settings WHERE key = ?');
  const upsertCheckRun = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const deleteCheckRun = db.prepare('DELETE FROM settings WHERE key = ? AND value LIKE ?');
  const checkRunKey = (agentId: string) => `agents.checkRun:${agentId}`;
  const recordHealResult = db.prepare(`
    UPDATE agent_heal_commands SET result_status = ?, result = ?, result_at = ?
    WHERE command_id = ? AND result_status IS NULL`);

  /** Stores a batch in one transaction; `stored` counts new results, `duplicates` seqs already known. */
  const storeBatch = db.transaction((agentId: string, entries: readonly ResultEntry[], receivedAt: string) => {
    let stored = 0;
    let duplicates = 0;
    for (const entry of entries) {
      const seq = entry.kind === 'result' ? entry.result.seq : entry.seq;
      if (hasResult.get(agentId, seq) || hasRejected.get(agentId, seq)) {
        duplicates++;
        continue;
      }
      if (entry.kind === 'result') {
        insertResult.run(entry.result);
        stored++;
      } else insertRejected.run(agentId, seq, entry.code, entry.message, receivedAt);
    }
    return { stored, duplicates };
  });

  return {
    storeBatch(agentId: string, entries: readonly ResultEntry[], receivedAt: string) {
      return storeBatch(agentId, entries, receivedAt);
    },
    /** Stored results of one agent after `afterSeq`, in seq order. */
    results(agentId: string, afterSeq = 0, limit = 1000): StoredAgentResult[] {
      return (selectResults.all(agentId, afterSeq, limit) as Record<string, unknown>[]).map((r) => ({
        agentId: String(r.agent_id),
        seq: Number(r.seq),
        checkId: String(r.check_id),
        status: String(r.status),
        detectedAt: String(r.detected_at),
        receivedAt: String(r.received_at),
        body: String(r.body),
      }));
    },
    /** Results in the order they were received, after receive position `afterRowid`. */
    receivedAfter(afterRowid: number, limit = 200): ReceivedAgentResult[] {
      return (selectReceived.all(afterRowid, limit) as Record<string, unknown>[]).map((r) => ({
        rowid: Number(r.row_id),
        agentId: String(r.agent_id),
        seq: Number(r.seq),
        checkId: String(r.check_id),
        status: String(r.status),
        detectedAt: String(r.detected_at),
        receivedAt: String(r.received_at),
        body: String(r.body),
        hostname: String(r.hostname),
        osFamily: String(r.os_family),
      }));
    },
    /** Commands with a recorded result after the (resultAt, commandId) position, in that order. */
    answeredAfter(
      after: { at: string; commandId: string },
      limit = 100,
    ): (HealCommandRow & { resultAt: string; hostname: string; osFamily: string })[] {
      return (selectAnswered.all({ ...after, limit }) as Record<string, unknown>[]).map((r) => ({
        ...healRow(r),
        resultAt: String(r.result_at),
        hostname: String(r.hostname),
        osFamily: String(r.os_family),
      }));
    },
    insertHealCommand(command: Omit<HealCommandRow, 'resultStatus' | 'result'>): void {
      insertCommand.run({ ...command, params: JSON.stringify(command.params) });
    },
    /** Commands without a result that have not expired, oldest first. */
    pendingHealCommands(agentId: string, now: Date): HealCommandRow[] {
      return (selectPending.all(agentId, now.toISOString()) as Record<string, unknown>[]).map(healRow);
    },
    /** Every command issued to the agent for one incident (answered, pending or expired), oldest first. */
    healCommandsForIncident(agentId: string, incidentId: string): HealCommandRow[] {
      return (selectIncidentCommands.all(agentId, incidentId) as Record<string, unknown>[]).map(healRow);
    },
    healCommand(commandId: string): HealCommandRow | null {
      const row = selectCommand.get(commandId) as Record<string, unknown> | undefined;
      return row ? healRow(row) : null;
    },
    /** Saves the agent's pending on-demand check run (replacing an older one). */
    saveCheckRun(agentId: string, run: PendingCheckRun): void {
      upsertCheckRun.run(checkRunKey(agentId), JSON.stringify(run), run.requestedAt);
    },
    /** The agent's pending on-demand check run, or null (also when it expired). */
    pendingCheckRun(agentId: string, now: Date): PendingCheckRun | null {
      const row = selectCheckRun.get(checkRunKey(agentId)) as { value: string } | undefined;
      if (!row) return null;
      const run = JSON.parse(row.value) as PendingCheckRun;
      return Date.parse(run.expiresAt) > now.getTime() ? run : null;
    },
    /** Ends the pending run `runId` (its results arrived); a newer request stays. */
    completeCheckRun(agentId: string, runId: string): void {
      deleteCheckRun.run(checkRunKey(agentId), `%"runId":${JSON.stringify(runId)}%`);
    },
    /** Records the first result of a command; false when one was already recorded. */
    recordHealResult(commandId: string, status: string, result: string, at: Date): boolean {
      return recordHealResult.run(status, result, at.toISOString(), commandId).changes === 1;
    },
  };
}

export type AgentResultsStore = ReturnType<typeof createAgentResultsStore>;
