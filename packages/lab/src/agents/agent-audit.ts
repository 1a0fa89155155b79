import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { CheckResultSchema, CheckStatus, HealResultSchema, HealStatus } from '@osiris/protocol/agent-proto';
import { PACKAGES_DIR } from './appliance-process';

/**
 * The source of truth for "what the agent produced": an append-only audit table in the agent's own
 * SQLite file, filled by a trigger on every insert into its queue (`queued_results`), in the same
 * transaction as the insert. The queue itself forgets results once acknowledged; the audit keeps
 * seq, check, detection time and the exact payload the agent queued, independent of the appliance.
 * The lab creates the file with the agent's own migrations (packages/workstation/src/queue/agent-db.ts)
 * and adds the trigger before the agent first starts, so no result escapes it.
 */
const AUDIT_SQL = `
CREATE TABLE IF NOT EXISTS lab_produced (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  check_id TEXT NOT NULL,
  detected_at_ms INTEGER NOT NULL,
  payload BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS lab_produced_audit AFTER INSERT ON queued_results BEGIN
  INSERT INTO lab_produced (seq, check_id, detected_at_ms, payload)
  VALUES (NEW.seq, NEW.check_id, NEW.detected_at_ms, NEW.payload);
END;`;

interface Statement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}
interface SqliteDb {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  transaction<T>(fn: () => T): () => T;
  close(): void;
}
type OpenAgentDb = (path: string) => SqliteDb;

let opener: Promise<OpenAgentDb> | null = null;
/** The agent's own `openAgentDb` (same migrations, WAL, busy timeout), loaded from its sources. */
function agentDbOpener(): Promise<OpenAgentDb> {
  const url = new URL('workstation/src/queue/agent-db.ts', `file://${PACKAGES_DIR}`).href;
  opener ??= import(url).then((module: { openAgentDb: OpenAgentDb }) => module.openAgentDb);
  return opener;
}

/** Creates the agent's database (its migrations) with the audit trigger; call before the agent's first start. */
export async function prepareAuditedAgentDb(path: string): Promise<void> {
  const db = (await agentDbOpener())(path);
  try {
    db.exec(AUDIT_SQL);
  } finally {
    db.close();
  }
}

interface ProducedResult {
  seq: number;
  checkId: string;
  detectedAtMs: number;
  /** The protobuf result's status name (PASS, FAIL, ERROR, UNSUPPORTED). */
  status: string;
}

export interface AgentSnapshot {
  /** Every result the agent ever queued, in insertion order. */
  produced: ProducedResult[];
  /** Seqs still queued (not acknowledged by the appliance). */
  queued: Set<number>;
  lastSeq: number;
  droppedTotal: number;
}

/** One consistent read (a single transaction) of the audit and the queue, while the agent runs. */
export async function readAgentSnapshot(path: string): Promise<AgentSnapshot> {
  const db = (await agentDbOpener())(path);
  try {
    return db.transaction(() => {
      const rows = db.prepare('SELECT seq, check_id, detected_at_ms, payload FROM lab_produced ORDER BY id').all() as {
        seq: number;
        check_id: string;
        detected_at_ms: number;
        payload: Buffer;
      }[];
      const produced = rows.map((row) => {
        const result = fromBinary(CheckResultSchema, row.payload);
        const detected = result.detectedAt ? timestampDate(result.detectedAt).getTime() : Number.NaN;
        if (detected !== Number(row.detected_at_ms) || result.seq !== BigInt(row.seq))
          throw new Error(`agent db ${path}: payload of seq ${row.seq} disagrees with its row`);
        return {
          seq: Number(row.seq),
          checkId: row.check_id,
          detectedAtMs: Number(row.detected_at_ms),
          status: CheckStatus[result.status] ?? String(result.status),
        };
      });
      const queued = db.prepare('SELECT seq FROM queued_results').all() as { seq: number }[];
      const meta = db.prepare('SELECT key, value FROM queue_meta').all() as { key: string; value: number }[];
      const value = (key: string) => Number(meta.find((m) => m.key === key)?.value ?? 0);
      return {
        produced,
        queued: new Set(queued.map((q) => Number(q.seq))),
        lastSeq: value('last_seq'),
        droppedTotal: value('dropped_total'),
      };
    })();
  } finally {
    db.close();
  }
}

/** The heal commands the agent itself ran (its `heal_commands` table): id, answer status, whether reported. */
export async function readAgentHealCommands(
  path: string,
): Promise<{ commandId: string; status: string | null; isReported: boolean }[]> {
  const db = (await agentDbOpener())(path);
  try {
    const rows = db
      .prepare('SELECT command_id, result, is_reported FROM heal_commands ORDER BY started_at_ms')
      .all() as {
      command_id: string;
      result: Buffer | null;
      is_reported: number;
    }[];
    return rows.map((row) => ({
      commandId: row.command_id,
      status: row.result ? (HealStatus[fromBinary(HealResultSchema, row.result).status] ?? null) : null,
      isReported: row.is_reported === 1,
    }));
  } finally {
    db.close();
  }
}
