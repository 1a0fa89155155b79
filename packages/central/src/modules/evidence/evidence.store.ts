import type { EvidenceBundle, LatestResult, SignedEvidenceBundle } from '@osiris/protocol';
import { sql } from 'kysely';
import type { Executor } from '../../platform/context';

/** SQL for evidence_bundles, evidence_chain_heads and latest_results; nothing else. */
export function createEvidenceStore() {
  return {
    /** The chain head, row-locked so one appliance's uploads are applied one at a time. */
    async lockHead(trx: Executor, applianceId: string): Promise<{ seq: number; hash: string } | null> {
      const selectForUpdate = () =>
        trx
          .selectFrom('evidence_chain_heads')
          .select(['seq', 'hash'])
          .where('appliance_id', '=', applianceId)
          .forUpdate()
          .executeTakeFirst();
      // Usually the head exists and this is one round trip; the first upload creates it.
      let row = await selectForUpdate();
      if (!row) {
        await trx
          .insertInto('evidence_chain_heads')
          .values({ appliance_id: applianceId, seq: 0, hash: '0'.repeat(64) })
          .onConflict((oc) => oc.column('appliance_id').doNothing())
          .execute();
        row = await selectForUpdate();
      }
      return row ? { seq: Number(row.seq), hash: row.hash } : null;
    },
    /** Stored hashes of these seqs of one appliance (those not stored are absent). */
    async storedHashes(trx: Executor, applianceId: string, seqs: number[]): Promise<Map<number, string>> {
      if (seqs.length === 0) return new Map();
      const rows = await trx
        .selectFrom('evidence_bundles')
        .select(['seq', 'hash'])
        .where('appliance_id', '=', applianceId)
        .where('seq', 'in', seqs)
        .execute();
      return new Map(rows.map((r) => [Number(r.seq), r.hash]));
    },
    /**
     * Append accepted bundles (one appliance, in chain order), move the latest result of each host
     * and check, and set the chain head to the last bundle: one statement, one round trip. The
     * bundles travel as one JSON parameter that the database unpacks, which is much cheaper than
     * thousands of bound parameters; the stored `bundle` is the same JSON either way.
     */
    async append(trx: Executor, applianceId: string, signed: SignedEvidenceBundle[], receivedAt: Date): Promise<void> {
      const last = signed.at(-1);
      if (!last) return;
      // One row per host and check: the newest in this batch (later seq wins).
      const newest = new Map<string, EvidenceBundle>();
      // Check runs only: a healing record is evidence of an attempt, not the host's current result.
      for (const { bundle } of signed)
        if (bundle.kind !== 'healing') newest.set(`${bundle.hostId}\u0000${bundle.checkId}`, bundle);
      const rows = JSON.stringify(signed.map(({ bundle, hash, signature }) => ({ b: bundle, h: hash, s: signature })));
      await sql`
        WITH input AS (
          SELECT e -> 'b' AS b, e ->> 'h' AS h, e ->> 's' AS s FROM jsonb_array_elements(${rows}::jsonb) AS e
        ), appended AS (
          INSERT INTO evidence_bundles (appliance_id, seq, hash, prev_hash, signature, host_id, hostname, check_id,
            status, finished_at, received_at, bundle)
          SELECT (b ->> 'applianceId')::uuid, (b ->> 'seq')::bigint, h, b ->> 'prevHash', s, (b ->> 'hostId')::uuid,
            b ->> 'hostname', b ->> 'checkId', b ->> 'status', (b ->> 'finishedAt')::timestamptz, ${receivedAt}, b
          FROM input
        ), latest AS (
          INSERT INTO latest_results (appliance_id, host_id, check_id, hostname, status, seq, finished_at)
          SELECT (b ->> 'applianceId')::uuid, (b ->> 'hostId')::uuid, b ->> 'checkId', b ->> 'hostname',
            b ->> 'status', (b ->> 'seq')::bigint, (b ->> 'finishedAt')::timestamptz
          FROM jsonb_array_elements(${JSON.stringify([...newest.values()])}::jsonb) AS b
          ON CONFLICT (appliance_id, host_id, check_id) DO UPDATE SET hostname = excluded.hostname,
            status = excluded.status, seq = excluded.seq, finished_at = excluded.finished_at
        )
        UPDATE evidence_chain_heads SET seq = ${last.bundle.seq}, hash = ${last.hash}
        WHERE appliance_id = ${applianceId}
      `.execute(trx);
    },
    /**
     * Where the stored chain of an appliance starts once retention purged its oldest months: the
     * newest purged bundle's seq and hash (retention_run_appliances, read only), or null.
     */
    async retentionAnchor(db: Executor, applianceId: string): Promise<{ seq: number; hash: string } | null> {
      const { rows } = await sql<{ seq: string; hash: string }>`
        SELECT last_purged_seq AS seq, last_purged_hash AS hash FROM retention_run_appliances
        WHERE appliance_id = ${applianceId} AND last_purged_seq IS NOT NULL
        ORDER BY last_purged_seq DESC LIMIT 1
      `.execute(db);
      const row = rows[0];
      return row ? { seq: Number(row.seq), hash: row.hash } : null;
    },

    list(db: Executor, applianceId: string, afterSeq: number, limit: number) {
      return db
        .selectFrom('evidence_bundles')
        .select(['appliance_id', 'seq', 'hash', 'signature', 'received_at', 'bundle'])
        .where('appliance_id', '=', applianceId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
    },

    async latest(db: Executor, applianceIds: string[], hostId?: string): Promise<LatestResult[]> {
      if (applianceIds.length === 0) return [];
      const rows = await db
        .selectFrom('latest_results')
        .selectAll()
        .where('appliance_id', 'in', applianceIds)
        .$if(hostId !== undefined, (q) => q.where('host_id', '=', hostId as string))
        .orderBy(sql`hostname`)
        .orderBy('check_id')
        .execute();
      return rows.map((r) => ({
        applianceId: r.appliance_id,
        hostId: r.host_id,
        hostname: r.hostname,
        checkId: r.check_id,
        status: r.status as LatestResult['status'],
        seq: Number(r.seq),
        finishedAt: r.finished_at.toISOString(),
      }));
    },

    /**
     * A host's check runs, newest first, from the given appliances only (the host's site's), as
     * keyset pages on (finished_at, appliance_id, seq).
     */
    async hostHistory(
      db: Executor,
      params: {
        applianceIds: string[];
        hostId: string;
        checkId?: string | undefined;
        limit: number;
        after?: { finishedAt: string; applianceId: string; seq: number } | undefined;
      },
    ) {
      if (params.applianceIds.length === 0) return [];
      const { after } = params;
      return db
        .selectFrom('evidence_bundles')
        .select([
          'appliance_id',
          'seq',
          'check_id',
          'status',
          'finished_at',
          'hash',
          sql<string | null>`bundle -> 'observed' ->> 'reason'`.as('reason'),
          sql<string>`bundle ->> 'startedAt'`.as('started_at'),
        ])
        .where('appliance_id', 'in', params.applianceIds)
        .where('host_id', '=', params.hostId)
        .$if(params.checkId !== undefined, (q) => q.where('check_id', '=', params.checkId as string))
        .$if(after !== undefined, (q) =>
          q.where(
            sql<boolean>`(finished_at, appliance_id, seq) < (${after?.finishedAt}::timestamptz, ${after?.applianceId}::uuid, ${after?.seq}::bigint)`,
          ),
        )
        .orderBy('finished_at', 'desc')
        .orderBy('appliance_id', 'desc')
        .orderBy('seq', 'desc')
        .limit(params.limit + 1)
        .execute();
    },
  };
}

export type EvidenceStore = ReturnType<typeof createEvidenceStore>;
