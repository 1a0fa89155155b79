import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { type CheckResult, CheckResultSchema } from '@osiris/protocol/agent-proto';
import type { AgentDb } from './agent-db';

export interface QueueStatsSnapshot {
  queuedResults: number;
  droppedResultsTotal: bigint;
  lastSeq: bigint;
  oldestDetectedAt?: Date;
}

export interface ResultQueueOptions {
  /**
   * Bound on queued results. When exceeded, the oldest result of a check that has a newer result
   * queued is dropped (and counted) until the bound holds again; the newest result of every check
   * is always kept, so the queue can exceed the bound by at most the number of distinct checks.
   */
  maxResults?: number;
}

const DEFAULT_MAX_RESULTS = 10_000;

/**
 * The agent's durable, ordered outbox of check results. Each result gets the next per-agent seq
 * when it enters (persisted, never reused), keeps its detected_at, and leaves only when the
 * appliance acknowledges it (`ackThrough`) or the overflow policy drops it (counted).
 */
export function createResultQueue(db: AgentDb, options: ResultQueueOptions = {}) {
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1) throw new Error('maxResults must be a positive integer');
  db.defaultSafeIntegers(false);
  const meta = db
    .prepare<[string], { value: number | bigint }>('SELECT value FROM queue_meta WHERE key = ?')
    .safeIntegers(true);
  const setMeta = db.prepare<[bigint, string]>('UPDATE queue_meta SET value = ? WHERE key = ?');
  const insert = db.prepare<[bigint, string, number, Uint8Array]>(
    'INSERT INTO queued_results (seq, check_id, detected_at_ms, payload) VALUES (?, ?, ?, ?)',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM queued_results');
  const supersededOldest = db
    .prepare<[], { seq: number | bigint }>(
      `SELECT seq FROM queued_results r
      WHERE EXISTS (SELECT 1 FROM queued_results n WHERE n.check_id = r.check_id AND n.seq > r.seq)
      ORDER BY seq LIMIT 1`,
    )
    .safeIntegers(true);
  const remove = db.prepare<[bigint]>('DELETE FROM queued_results WHERE seq = ?');
  const peekRows = db
    .prepare<[number], { seq: bigint; payload: Buffer }>('SELECT seq, payload FROM queued_results ORDER BY seq LIMIT ?')
    .safeIntegers(true);
  const deleteThrough = db.prepare<[bigint]>('DELETE FROM queued_results WHERE seq <= ?');
  const oldest = db.prepare<[], { ms: number | null }>('SELECT min(detected_at_ms) AS ms FROM queued_results');

  const metaValue = (key: string) => BigInt(meta.get(key)?.value ?? 0);

  const enqueueTx = db.transaction((result: CheckResult): bigint => {
    const seq = metaValue('last_seq') + 1n;
    setMeta.run(seq, 'last_seq');
    const stored = create(CheckResultSchema, { ...result, seq });
    const detectedMs = stored.detectedAt ? timestampDate(stored.detectedAt).getTime() : Date.now();
    insert.run(seq, stored.checkId, detectedMs, toBinary(CheckResultSchema, stored));
    let dropped = 0n;
    while ((count.get()?.n ?? 0) > maxResults) {
      const victim = supersededOldest.get();
      if (!victim) break;
      remove.run(BigInt(victim.seq));
      dropped += 1n;
    }
    if (dropped > 0n) setMeta.run(metaValue('dropped_total') + dropped, 'dropped_total');
    return seq;
  });

  return {
    /** Stores the result (its `seq` is assigned here; `detected_at` must already be set). Returns the seq. */
    enqueue(result: CheckResult): bigint {
      if (!result.detectedAt) throw new Error('a check result needs detected_at before it is queued');
      return enqueueTx.immediate(result);
    },
    /** The oldest results, in seq order, at most `limit` of them and about `maxBytes` encoded. */
    peek(limit: number, maxBytes = 1024 * 1024): CheckResult[] {
      const results: CheckResult[] = [];
      let bytes = 0;
      for (const row of peekRows.all(limit)) {
        if (results.length > 0 && bytes + row.payload.length > maxBytes) break;
        bytes += row.payload.length;
        results.push(fromBinary(CheckResultSchema, row.payload));
      }
      return results;
    },
    /** Deletes every result with seq <= `seq` (the appliance stored or rejected them). */
    ackThrough(seq: bigint): number {
      return deleteThrough.run(seq).changes;
    },
    stats(): QueueStatsSnapshot {
      const ms = oldest.get()?.ms;
      return {
        queuedResults: count.get()?.n ?? 0,
        droppedResultsTotal: metaValue('dropped_total'),
        lastSeq: metaValue('last_seq'),
        ...(ms === null || ms === undefined ? {} : { oldestDetectedAt: new Date(ms) }),
      };
    },
  };
}

export type ResultQueue = ReturnType<typeof createResultQueue>;
