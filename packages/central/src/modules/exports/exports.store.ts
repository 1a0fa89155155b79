import { sql } from 'kysely';
import type { Executor } from '../../platform/context';

/** A stored tree head with its RFC 3161 token, as the export needs it. */
export interface ExportHeadRow {
  tree_size: string | number | bigint;
  root_hash: string;
  issued_at: Date;
  signature: string;
  key_id: string;
  tsa_token: Uint8Array | null;
  tsa_time: Date | null;
}

const HEAD_COLUMNS = ['tree_size', 'root_hash', 'issued_at', 'signature', 'key_id', 'tsa_token', 'tsa_time'] as const;

/**
 * The reads of the auditor export. It owns no table: it reads practices, appliances, evidence and
 * the transparency log as they stand, and never writes.
 */
export function createExportsStore() {
  return {
    practice: (db: Executor, practiceId: string) =>
      db.selectFrom('practices').select(['id', 'name']).where('id', '=', practiceId).executeTakeFirst(),

    /** Every appliance of the practice's sites, by id. */
    appliancesOf: (db: Executor, practiceId: string) =>
      db
        .selectFrom('appliances')
        .innerJoin('sites', 'sites.id', 'appliances.site_id')
        .select([
          'appliances.id',
          'appliances.site_id',
          'sites.practice_id',
          'appliances.hostname',
          'appliances.public_key',
          'appliances.registered_at',
        ])
        .where('sites.practice_id', '=', practiceId)
        .orderBy('appliances.id')
        .execute(),

    latestHead: (db: Executor): Promise<ExportHeadRow | undefined> =>
      db.selectFrom('tree_heads').select(HEAD_COLUMNS).orderBy('tree_size', 'desc').limit(1).executeTakeFirst(),

    /** The first head issued on each UTC day of [from, to), no larger than `maxSize`, ascending. */
    async firstHeadsPerDay(db: Executor, from: Date, to: Date, maxSize: number): Promise<ExportHeadRow[]> {
      const { rows } = await sql<ExportHeadRow>`
        SELECT DISTINCT ON ((issued_at AT TIME ZONE 'UTC')::date)
          tree_size, root_hash, issued_at, signature, key_id, tsa_token, tsa_time
        FROM tree_heads
        WHERE issued_at >= ${from} AND issued_at < ${to} AND tree_size <= ${maxSize}
        ORDER BY (issued_at AT TIME ZONE 'UTC')::date, issued_at, tree_size
      `.execute(db);
      return rows.sort((a, b) => Number(a.tree_size) - Number(b.tree_size));
    },

    /**
     * The seq range of an appliance's bundles that finished in [from, to) and lie in a tree of
     * `treeSize`: from the smallest such seq to the largest, cut short before the first seq in
     * between that the tree does not cover (every bundle of the range must have a proof). Only
     * bundles after the retention anchor (the newest purged seq) count: from there the stored chain
     * has no gaps, while the few latest results retention kept below it are not exported.
     */
    async bundleRange(
      db: Executor,
      applianceId: string,
      from: Date,
      to: Date,
      treeSize: number,
    ): Promise<{ firstSeq: number; lastSeq: number; firstPrevHash: string } | null> {
      const { rows } = await sql<{ first_seq: string | null; last_seq: string | null }>`
        SELECT min(e.seq) AS first_seq, max(e.seq) AS last_seq
        FROM evidence_bundles e
        JOIN merkle_leaves l ON l.appliance_id = e.appliance_id AND l.seq = e.seq
        WHERE e.appliance_id = ${applianceId} AND e.finished_at >= ${from} AND e.finished_at < ${to}
          AND l.leaf_index < ${treeSize}
          AND e.seq > (
            SELECT coalesce(max(r.last_purged_seq), 0) FROM retention_run_appliances r
            WHERE r.appliance_id = ${applianceId}
          )
      `.execute(db);
      const found = rows[0];
      if (!found?.first_seq || !found.last_seq) return null;
      const firstSeq = Number(found.first_seq);
      let lastSeq = Number(found.last_seq);
      const { rows: gaps } = await sql<{ seq: string }>`
        SELECT e.seq FROM evidence_bundles e
        LEFT JOIN merkle_leaves l ON l.appliance_id = e.appliance_id AND l.seq = e.seq
        WHERE e.appliance_id = ${applianceId} AND e.seq > ${firstSeq} AND e.seq <= ${lastSeq}
          AND (l.leaf_index IS NULL OR l.leaf_index >= ${treeSize})
        ORDER BY e.seq LIMIT 1
      `.execute(db);
      if (gaps[0]) lastSeq = Number(gaps[0].seq) - 1;
      const first = await db
        .selectFrom('evidence_bundles')
        .select('prev_hash')
        .where('appliance_id', '=', applianceId)
        .where('seq', '=', firstSeq)
        .executeTakeFirstOrThrow();
      return { firstSeq, lastSeq, firstPrevHash: first.prev_hash };
    },

    /** Signed bundles of an appliance with seq in (afterSeq, lastSeq], by seq. */
    bundlesPage: (db: Executor, applianceId: string, afterSeq: number, lastSeq: number, limit: number) =>
      db
        .selectFrom('evidence_bundles')
        .select(['seq', 'hash', 'signature', 'bundle'])
        .where('appliance_id', '=', applianceId)
        .where('seq', '>', afterSeq)
        .where('seq', '<=', lastSeq)
        .orderBy('seq')
        .limit(limit)
        .execute(),
  };
}

export type ExportsStore = ReturnType<typeof createExportsStore>;
