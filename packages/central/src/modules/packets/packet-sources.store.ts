import { sql } from 'kysely';
import type { Executor } from '../../platform/context';

/** A half-open window of time: `[start, end)`. */
export interface Window {
  start: Date;
  end: Date;
}

export interface TreeHeadRow {
  tree_size: string;
  root_hash: string;
  issued_at: Date;
  signature: string;
  key_id: string;
  tsa_time: Date | null;
}

/**
 * Read-only queries for a practice's packet over tables other modules own (tenancy, appliances,
 * evidence, exceptions, the transparency log), each narrowed to one practice. Like the overview's
 * store, it only reads: the owning stores stay the only writers.
 */
export function createPacketSourcesStore() {
  const appliancesOf = (db: Executor, practiceId: string) =>
    db
      .selectFrom('appliances')
      .innerJoin('sites', 'sites.id', 'appliances.site_id')
      .where('sites.practice_id', '=', practiceId);

  return {
    practice: (db: Executor, practiceId: string) =>
      db
        .selectFrom('practices')
        .innerJoin('partners', 'partners.id', 'practices.partner_id')
        .select(['practices.id', 'practices.name', 'practices.partner_id', 'partners.name as partner_name'])
        .where('practices.id', '=', practiceId)
        .executeTakeFirst(),

    /** The practice's appliances registered before the window ended. */
    appliances: (db: Executor, practiceId: string, window: Window) =>
      appliancesOf(db, practiceId)
        .select([
          'appliances.id',
          'appliances.hostname',
          'appliances.public_key',
          'appliances.registered_at',
          'appliances.status',
          'sites.name as site_name',
        ])
        .where('appliances.registered_at', '<', window.end)
        .orderBy('appliances.registered_at')
        .orderBy('appliances.id')
        .execute(),

    /** Healing attempts that finished in the window, oldest first. */
    healing: (db: Executor, practiceId: string, window: Window) =>
      appliancesOf(db, practiceId)
        .innerJoin('evidence_bundles', 'evidence_bundles.appliance_id', 'appliances.id')
        .select([
          'evidence_bundles.hostname',
          'evidence_bundles.check_id',
          'evidence_bundles.status',
          'evidence_bundles.finished_at',
          sql<string | null>`evidence_bundles.bundle -> 'observed' ->> 'tier'`.as('tier'),
          sql<string | null>`evidence_bundles.bundle -> 'observed' ->> 'runbookId'`.as('runbook'),
          sql<number | null>`extract(epoch FROM ((evidence_bundles.bundle ->> 'finishedAt')::timestamptz
            - (evidence_bundles.bundle ->> 'startedAt')::timestamptz)) * 1000`.as('duration_ms'),
        ])
        .where(sql<boolean>`evidence_bundles.bundle ->> 'kind' = 'healing'`)
        .where('evidence_bundles.finished_at', '>=', window.start)
        .where('evidence_bundles.finished_at', '<', window.end)
        .orderBy('evidence_bundles.finished_at')
        .execute(),

    /** Per appliance: the bundles received in the window (count, first and last seq). */
    bundleRanges: (db: Executor, practiceId: string, window: Window) =>
      appliancesOf(db, practiceId)
        .innerJoin('evidence_bundles', 'evidence_bundles.appliance_id', 'appliances.id')
        .select([
          'appliances.id as appliance_id',
          sql<string>`count(*)`.as('count'),
          sql<string>`min(evidence_bundles.seq)`.as('first_seq'),
          sql<string>`max(evidence_bundles.seq)`.as('last_seq'),
        ])
        .where('evidence_bundles.received_at', '>=', window.start)
        .where('evidence_bundles.received_at', '<', window.end)
        .groupBy('appliances.id')
        .execute(),

    bundleHash: (db: Executor, applianceId: string, seq: string) =>
      db
        .selectFrom('evidence_bundles')
        .select('hash')
        .where('appliance_id', '=', applianceId)
        .where('seq', '=', seq)
        .executeTakeFirst(),

    /** Per appliance: the newest bundle received before the window ended (its chain head then). */
    headsAt: (db: Executor, practiceId: string, end: Date) =>
      appliancesOf(db, practiceId)
        .innerJoin('evidence_bundles', 'evidence_bundles.appliance_id', 'appliances.id')
        .distinctOn('appliances.id')
        .select([
          'appliances.id as appliance_id',
          sql<string>`evidence_bundles.seq::text`.as('seq'),
          'evidence_bundles.hash',
        ])
        .where('evidence_bundles.received_at', '<', end)
        .orderBy('appliances.id')
        .orderBy('evidence_bundles.seq', 'desc')
        .execute(),

    /** Exceptions approved at some point and in force for part of the window, with people's names. */
    exceptions: (db: Executor, practiceId: string, window: Window) =>
      db
        .selectFrom('compliance_exceptions')
        .innerJoin('sites', 'sites.id', 'compliance_exceptions.site_id')
        .leftJoin('users as requester', 'requester.id', 'compliance_exceptions.requested_by')
        .leftJoin('users as approver', 'approver.id', 'compliance_exceptions.decided_by')
        .select([
          'compliance_exceptions.id',
          'compliance_exceptions.check_id',
          'compliance_exceptions.framework',
          'compliance_exceptions.control_id',
          'compliance_exceptions.host_id',
          'compliance_exceptions.reason',
          'compliance_exceptions.state',
          'compliance_exceptions.starts_at',
          'compliance_exceptions.expires_at',
          'compliance_exceptions.ended_at',
          'sites.name as site_name',
          'requester.name as requester_name',
          'approver.name as approver_name',
        ])
        .where('compliance_exceptions.practice_id', '=', practiceId)
        .where('compliance_exceptions.state', 'in', ['approved', 'revoked', 'expired'])
        .where('compliance_exceptions.decided_at', 'is not', null)
        .where('compliance_exceptions.starts_at', '<', window.end)
        .where('compliance_exceptions.expires_at', '>', window.start)
        .where((eb) =>
          eb.or([
            eb('compliance_exceptions.ended_at', 'is', null),
            eb('compliance_exceptions.ended_at', '>', window.start),
          ]),
        )
        .orderBy('compliance_exceptions.starts_at')
        .execute(),

    /**
     * The first signed tree head that covers every bundle of the practice received in the window,
     * when the transparency log's tables exist (another module creates them): `absent` without
     * them, `none` when no bundle of the window is in the log or no head covers them yet.
     */
    async treeHead(db: Executor, practiceId: string, window: Window): Promise<'absent' | 'none' | TreeHeadRow> {
      const present = await sql<{ ok: boolean }>`
        SELECT to_regclass('tree_heads') IS NOT NULL AND to_regclass('merkle_leaves') IS NOT NULL AS ok`.execute(db);
      if (!present.rows[0]?.ok) return 'absent';
      const leaves = await sql<{ max_leaf: string | null }>`
        SELECT max(l.leaf_index)::text AS max_leaf
          FROM merkle_leaves l
          JOIN evidence_bundles b ON b.appliance_id = l.appliance_id AND b.seq = l.seq
          JOIN appliances a ON a.id = b.appliance_id
          JOIN sites s ON s.id = a.site_id
         WHERE s.practice_id = ${practiceId}
           AND b.received_at >= ${window.start} AND b.received_at < ${window.end}`.execute(db);
      const maxLeaf = leaves.rows[0]?.max_leaf;
      if (maxLeaf === null || maxLeaf === undefined) return 'none';
      const heads = await sql<TreeHeadRow>`
        SELECT tree_size::text AS tree_size, root_hash::text AS root_hash, issued_at,
               signature::text AS signature, key_id::text AS key_id, tsa_time
          FROM tree_heads
         WHERE tree_size > ${maxLeaf}::bigint
         ORDER BY tree_size ASC
         LIMIT 1`.execute(db);
      return heads.rows[0] ?? 'none';
    },
  };
}

export type PacketSourcesStore = ReturnType<typeof createPacketSourcesStore>;
