import type { EvidenceBundle, LatestResult, SignedEvidenceBundle } from '@osiris/protocol';
import { sql } from 'kysely';
import type { Executor } from '../../platform/context';

/** SQL for evidence_bundles, evidence_chain_heads and latest_results; nothing else. */
export function createEvidenceStore() {
  return {
    /** The chain head, row-locked so one appliance's uploads are applied one at a time. */
    async lockHead(trx: Executor, applianceId: string): Promise<{ seq: number; hash: string } | null> {
      await trx
        .insertInto('evidence_chain_heads')
        .values({ appliance_id: applianceId, seq: 0, hash: '0'.repeat(64) })
        .onConflict((oc) => oc.column('appliance_id').doNothing())
        .execute();
      const row = await trx
        .selectFrom('evidence_chain_heads')
        .select(['seq', 'hash'])
        .where('appliance_id', '=', applianceId)
        .forUpdate()
        .executeTakeFirst();
      return row ? { seq: Number(row.seq), hash: row.hash } : null;
    },

    setHead: (trx: Executor, applianceId: string, seq: number, hash: string) =>
      trx.updateTable('evidence_chain_heads').set({ seq, hash }).where('appliance_id', '=', applianceId).execute(),

    async storedHash(trx: Executor, applianceId: string, seq: number): Promise<string | undefined> {
      const row = await trx
        .selectFrom('evidence_bundles')
        .select('hash')
        .where('appliance_id', '=', applianceId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      return row?.hash;
    },

    /** Store accepted bundles (in chain order) and move the latest result of each host and check. */
    async insertMany(trx: Executor, signed: SignedEvidenceBundle[], receivedAt: Date): Promise<void> {
      await trx
        .insertInto('evidence_bundles')
        .values(
          signed.map(({ bundle, hash, signature }) => ({
            appliance_id: bundle.applianceId,
            seq: bundle.seq,
            hash,
            prev_hash: bundle.prevHash,
            signature,
            host_id: bundle.hostId,
            hostname: bundle.hostname,
            check_id: bundle.checkId,
            status: bundle.status,
            finished_at: bundle.finishedAt,
            received_at: receivedAt,
            bundle: JSON.stringify(bundle),
          })),
        )
        .execute();
      // One row per host and check: the newest in this batch (later seq wins).
      const newest = new Map<string, EvidenceBundle>();
      for (const { bundle } of signed) newest.set(`${bundle.hostId}\u0000${bundle.checkId}`, bundle);
      await trx
        .insertInto('latest_results')
        .values(
          [...newest.values()].map((bundle) => ({
            appliance_id: bundle.applianceId,
            host_id: bundle.hostId,
            check_id: bundle.checkId,
            hostname: bundle.hostname,
            status: bundle.status,
            seq: bundle.seq,
            finished_at: bundle.finishedAt,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['appliance_id', 'host_id', 'check_id']).doUpdateSet({
            hostname: (eb) => eb.ref('excluded.hostname'),
            status: (eb) => eb.ref('excluded.status'),
            seq: (eb) => eb.ref('excluded.seq'),
            finished_at: (eb) => eb.ref('excluded.finished_at'),
          }),
        )
        .execute();
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

    async latest(db: Executor, applianceIds: string[]): Promise<LatestResult[]> {
      if (applianceIds.length === 0) return [];
      const rows = await db
        .selectFrom('latest_results')
        .selectAll()
        .where('appliance_id', 'in', applianceIds)
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
  };
}

export type EvidenceStore = ReturnType<typeof createEvidenceStore>;
