import { sql } from 'kysely';
import type { Executor } from '../../platform/context';
import type { NodeRef, StoredNode } from './merkle-plan';

/** Arbitrary constant naming the log's append lock: one appender at a time, across replicas. */
const LOG_LOCK_KEY = 7_302_846_119;
/** Likewise for issuing tree heads. */
const TREE_HEADS_LOCK_KEY = 7_302_846_120;

export interface LeafInput {
  applianceId: string;
  seq: number;
  bundleHash: string;
}

export interface TreeHeadRow {
  tree_size: string | number | bigint;
  root_hash: string;
  issued_at: Date;
  signature: string;
  key_id: string;
  tsa_token: Uint8Array | null;
  tsa_time: Date | null;
  tsa_error: string | null;
}

/** One queued bundle: its queue id, and whether a leaf of it already exists (then it is only dropped). */
export interface QueuedLeaf extends LeafInput {
  id: string;
  isLogged: boolean;
}

/**
 * SQL for merkle_queue, merkle_leaves, merkle_nodes and tree_heads; nothing else (the backfill reads
 * evidence_bundles).
 */
export function createTransparencyStore() {
  return {
    /** Serialises appends until the transaction ends; held only for the append's last statements. */
    async lockLog(trx: Executor): Promise<void> {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(LOG_LOCK_KEY)})`.execute(trx);
    },

    /** Serialises issuing tree heads (not appends) until the transaction ends. */
    async lockTreeHeads(trx: Executor): Promise<void> {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(TREE_HEADS_LOCK_KEY)})`.execute(trx);
    },

    async size(db: Executor): Promise<number> {
      const row = await db
        .selectFrom('merkle_leaves')
        .select(sql<string | null>`max(leaf_index)`.as('last'))
        .executeTakeFirst();
      return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
    },

    /** The named nodes, keyed `level:index`; one round trip whatever their number. */
    async nodes(db: Executor, refs: NodeRef[]): Promise<Map<string, Uint8Array>> {
      if (refs.length === 0) return new Map();
      const wanted = JSON.stringify(refs.map((r) => ({ l: r.level, i: r.index })));
      const { rows } = await sql<{ level: number; node_index: string; hash: Uint8Array }>`
        SELECT n.level, n.node_index, n.hash
        FROM jsonb_to_recordset(${wanted}::jsonb) AS w (l smallint, i bigint)
        JOIN merkle_nodes n ON n.level = w.l AND n.node_index = w.i
      `.execute(db);
      return new Map(rows.map((r) => [`${r.level}:${Number(r.node_index)}`, new Uint8Array(r.hash)]));
    },

    /** Appends leaves from `firstIndex` and the nodes they create: two statements. */
    async append(
      trx: Executor,
      firstIndex: number,
      leaves: LeafInput[],
      nodes: StoredNode[],
      appendedAt: Date,
    ): Promise<void> {
      if (leaves.length === 0) return;
      const leafRows = JSON.stringify(
        leaves.map((l, i) => ({ x: firstIndex + i, a: l.applianceId, s: l.seq, h: l.bundleHash })),
      );
      const nodeRows = JSON.stringify(
        nodes.map((n) => ({ l: n.level, i: n.index, h: Buffer.from(n.hash).toString('hex') })),
      );
      // One statement, one round trip: the log lock is held until commit, so every trip counts.
      await sql`
        WITH leaves AS (
          INSERT INTO merkle_leaves (leaf_index, appliance_id, seq, bundle_hash, appended_at)
          SELECT x, a, s, h, ${appendedAt}
          FROM jsonb_to_recordset(${leafRows}::jsonb) AS r (x bigint, a uuid, s bigint, h text)
        )
        INSERT INTO merkle_nodes (level, node_index, hash)
        SELECT l, i, decode(h, 'hex') FROM jsonb_to_recordset(${nodeRows}::jsonb) AS r (l smallint, i bigint, h text)
      `.execute(trx);
    },

    /**
     * Queues accepted bundles of one appliance for the log, in seq order: a plain insert, no lock,
     * one statement. Runs inside the ingest's transaction.
     */
    async enqueue(trx: Executor, leaves: LeafInput[], queuedAt: Date): Promise<void> {
      if (leaves.length === 0) return;
      const rows = JSON.stringify(leaves.map((l) => ({ a: l.applianceId, s: l.seq, h: l.bundleHash })));
      await sql`
        INSERT INTO merkle_queue (appliance_id, seq, bundle_hash, queued_at)
        SELECT a, s, h, ${queuedAt} FROM jsonb_to_recordset(${rows}::jsonb) AS r (a uuid, s bigint, h text)
        ORDER BY s
      `.execute(trx);
    },

    /**
     * Queues up to `limit` bundles that are neither leaves nor queued (evidence accepted before the
     * log existed), oldest first in (received_at, appliance, seq) order; returns how many.
     */
    async enqueueUnlogged(db: Executor, limit: number, queuedAt: Date): Promise<number> {
      const result = await sql`
        INSERT INTO merkle_queue (appliance_id, seq, bundle_hash, queued_at)
        SELECT e.appliance_id, e.seq, e.hash, ${queuedAt}
        FROM evidence_bundles e
        WHERE NOT EXISTS (SELECT 1 FROM merkle_leaves l WHERE l.bundle_hash = e.hash)
          AND NOT EXISTS (SELECT 1 FROM merkle_queue q WHERE q.appliance_id = e.appliance_id AND q.seq = e.seq)
        ORDER BY e.received_at, e.appliance_id, e.seq
        LIMIT ${limit}
        ON CONFLICT (appliance_id, seq) DO NOTHING
      `.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },

    /** The oldest queued bundles, in id order; read under the log lock, so no two drains take the same ones. */
    async queued(trx: Executor, limit: number): Promise<QueuedLeaf[]> {
      const rows = await trx
        .selectFrom('merkle_queue as q')
        .leftJoin('merkle_leaves as l', (join) =>
          join.onRef('l.appliance_id', '=', 'q.appliance_id').onRef('l.seq', '=', 'q.seq'),
        )
        .select(['q.id', 'q.appliance_id', 'q.seq', 'q.bundle_hash', 'l.leaf_index'])
        .orderBy('q.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: String(r.id),
        applianceId: r.appliance_id,
        seq: Number(r.seq),
        bundleHash: r.bundle_hash,
        isLogged: r.leaf_index !== null,
      }));
    },

    /** Removes drained entries; in the transaction that appended them. */
    async dequeue(trx: Executor, ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await sql`
        DELETE FROM merkle_queue
        WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)
      `.execute(trx);
    },

    leafOf(db: Executor, applianceId: string, seq: number) {
      return db
        .selectFrom('merkle_leaves')
        .select(['leaf_index', 'seq', 'bundle_hash'])
        .where('appliance_id', '=', applianceId)
        .where('seq', '=', seq)
        .executeTakeFirst();
    },

    /** One appliance's leaves after `afterSeq` that lie inside a tree of `treeSize`, by seq. */
    leavesOf(db: Executor, applianceId: string, afterSeq: number, treeSize: number, limit: number) {
      return db
        .selectFrom('merkle_leaves')
        .select(['leaf_index', 'seq', 'bundle_hash'])
        .where('appliance_id', '=', applianceId)
        .where('seq', '>', afterSeq)
        .where('leaf_index', '<', treeSize)
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    latestHead(db: Executor): Promise<TreeHeadRow | undefined> {
      return db.selectFrom('tree_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    },

    headAt(db: Executor, treeSize: number): Promise<TreeHeadRow | undefined> {
      return db.selectFrom('tree_heads').selectAll().where('tree_size', '=', treeSize).executeTakeFirst();
    },

    /** Newest first, below `beforeSize` when given; one extra row tells whether a next page exists. */
    listHeads(db: Executor, beforeSize: number | undefined, limit: number): Promise<TreeHeadRow[]> {
      return db
        .selectFrom('tree_heads')
        .selectAll()
        .$if(beforeSize !== undefined, (q) => q.where('tree_size', '<', beforeSize as number))
        .orderBy('tree_size', 'desc')
        .limit(limit + 1)
        .execute();
    },

    /** Stores a head; another replica may have stored this size first (then nothing changes). */
    async insertHead(
      db: Executor,
      head: { treeSize: number; rootHash: string; issuedAt: string; signature: string; keyId: string },
    ): Promise<boolean> {
      const result = await db
        .insertInto('tree_heads')
        .values({
          tree_size: head.treeSize,
          root_hash: head.rootHash,
          issued_at: head.issuedAt,
          signature: head.signature,
          key_id: head.keyId,
        })
        .onConflict((oc) => oc.column('tree_size').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Fills a head's timestamp (or the reason there is none) once; the trigger refuses a second fill. */
    async fillTimestamp(
      db: Executor,
      treeSize: number,
      outcome: { token: Uint8Array; time: Date } | { error: string },
    ): Promise<void> {
      await db
        .updateTable('tree_heads')
        .set(
          'error' in outcome
            ? { tsa_error: outcome.error }
            : { tsa_token: Buffer.from(outcome.token), tsa_time: outcome.time },
        )
        .where('tree_size', '=', treeSize)
        .where('tsa_token', 'is', null)
        .where('tsa_error', 'is', null)
        .execute();
    },
  };
}

export type TransparencyStore = ReturnType<typeof createTransparencyStore>;
