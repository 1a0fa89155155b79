import type { FrameworkId, IndustryPresetId, ScoreCounts } from '@osiris/protocol';
import { type Insertable, sql } from 'kysely';
import type { Executor } from '../../platform/context';
import type { ComplianceAttestationsTable } from '../../platform/db-schema';

export interface ResultRow {
  siteId: string;
  hostId: string;
  checkId: string;
  status: 'pass' | 'fail' | 'error' | 'excepted';
  finishedAt: Date;
}

export type SnapshotScope = 'site' | 'practice' | 'partner';

/** Snapshot columns, with the date as its 'YYYY-MM-DD' text (drivers would turn it into a local Date). */
const SNAPSHOT_COLUMNS = [
  'scope_type',
  'scope_id',
  'framework',
  sql<string>`day::text`.as('day'),
  'at',
  'score',
  'counts',
  'computed_at',
  'verified_at',
] as const;

/** SQL for framework selections, attestations, score inputs as of a moment, and snapshots. */
export function createComplianceStore() {
  return {
    /**
     * The newest check-run result (not healing) per site, host and check with `finished_at` and
     * `received_at` at or before `at`: what was known then, so a score can be recomputed later.
     * Walks each (appliance, host, check) backwards on its index from the newest bundle.
     */
    async resultsAsOf(db: Executor, siteIds: readonly string[], at: Date): Promise<ResultRow[]> {
      if (siteIds.length === 0) return [];
      const rows = await sql<{ site_id: string; host_id: string; check_id: string; status: string; finished_at: Date }>`
        SELECT a.site_id, lr.host_id, lr.check_id, x.status, x.finished_at
        FROM latest_results lr
        JOIN appliances a ON a.id = lr.appliance_id
        JOIN LATERAL (
          SELECT b.status, b.finished_at FROM evidence_bundles b
          WHERE b.appliance_id = lr.appliance_id AND b.host_id = lr.host_id AND b.check_id = lr.check_id
            AND b.finished_at <= ${at} AND b.received_at <= ${at}
            AND (b.bundle ->> 'kind') IS DISTINCT FROM 'healing'
          ORDER BY b.seq DESC LIMIT 1
        ) x ON true
        WHERE a.site_id IN (${sql.join(siteIds.map((id) => sql`${id}`))})`.execute(db);
      // Several appliances may report the same host: the newest result wins.
      const newest = new Map<string, ResultRow>();
      for (const row of rows.rows) {
        const key = `${row.site_id} ${row.host_id} ${row.check_id}`;
        const finishedAt = new Date(row.finished_at);
        const seen = newest.get(key);
        if (!seen || seen.finishedAt < finishedAt)
          newest.set(key, {
            siteId: row.site_id,
            hostId: row.host_id,
            checkId: row.check_id,
            status: row.status as ResultRow['status'],
            finishedAt,
          });
      }
      return [...newest.values()];
    },

    /** Exceptions that were approved by `at` and had not ended then (their time bounds are checked by the formula). */
    exceptionsAsOf: (db: Executor, siteIds: readonly string[], at: Date) =>
      siteIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('compliance_exceptions')
            .select(['id', 'site_id', 'host_id', 'check_ids', 'starts_at', 'expires_at'])
            .where('site_id', 'in', siteIds)
            .where('state', 'in', ['approved', 'revoked', 'expired'])
            .where('decided_at', '<=', at)
            .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', at)]))
            .execute(),

    /** Attestations of a practice made by `at` and not revoked by then. */
    attestationsAsOf: (db: Executor, practiceId: string, at: Date) =>
      db
        .selectFrom('compliance_attestations')
        .select(['framework', 'control_id', 'attested_at', 'expires_at'])
        .where('practice_id', '=', practiceId)
        .where('attested_at', '<=', at)
        .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', at)]))
        .execute(),

    siteSelection: (db: Executor, siteId: string) =>
      db
        .selectFrom('sites')
        .innerJoin('practices', 'practices.id', 'sites.practice_id')
        .innerJoin('partners', 'partners.id', 'practices.partner_id')
        .leftJoin('site_frameworks', 'site_frameworks.site_id', 'sites.id')
        .select([
          'sites.id as siteId',
          'practices.id as practiceId',
          'partners.id as partnerId',
          'site_frameworks.preset as sitePreset',
          'site_frameworks.frameworks as siteFrameworks',
          'partners.compliance_defaults as partnerDefaults',
        ])
        .where('sites.id', '=', siteId)
        .executeTakeFirst(),

    sitesOfPractice: (db: Executor, practiceId: string) =>
      db.selectFrom('sites').select('id').where('practice_id', '=', practiceId).orderBy('id').execute(),

    practicesOfPartner: (db: Executor, partnerId: string) =>
      db.selectFrom('practices').select('id').where('partner_id', '=', partnerId).orderBy('id').execute(),

    /** Every site with its tenancy, and when its first appliance registered (null: none yet). */
    allSites: (db: Executor) =>
      db
        .selectFrom('sites')
        .innerJoin('practices', 'practices.id', 'sites.practice_id')
        .leftJoin('appliances', 'appliances.site_id', 'sites.id')
        .select((eb) => [
          'sites.id as siteId',
          'practices.id as practiceId',
          'practices.partner_id as partnerId',
          eb.fn.min('appliances.registered_at').as('firstRegisteredAt'),
        ])
        .groupBy(['sites.id', 'practices.id', 'practices.partner_id'])
        .orderBy('sites.id')
        .execute(),

    /** `scope:id:day` of every snapshot day on or after `since` (any framework). */
    async snapshotDays(db: Executor, since: string): Promise<Set<string>> {
      const rows = await db
        .selectFrom('compliance_score_snapshots')
        .select(['scope_type', 'scope_id', sql<string>`day::text`.as('day')])
        .where('day', '>=', since)
        .distinct()
        .execute();
      return new Set(rows.map((r) => `${r.scope_type}:${r.scope_id}:${r.day}`));
    },

    setSiteSelection: (
      db: Executor,
      siteId: string,
      value: { preset: IndustryPresetId | null; frameworks: FrameworkId[]; by: string | null; at: Date } | null,
    ) =>
      value === null
        ? db.deleteFrom('site_frameworks').where('site_id', '=', siteId).execute()
        : db
            .insertInto('site_frameworks')
            .values({
              site_id: siteId,
              preset: value.preset,
              frameworks: JSON.stringify(value.frameworks),
              updated_by: value.by,
              updated_at: value.at,
            })
            .onConflict((oc) =>
              oc.column('site_id').doUpdateSet({
                preset: value.preset,
                frameworks: JSON.stringify(value.frameworks),
                updated_by: value.by,
                updated_at: value.at,
              }),
            )
            .execute(),

    partnerDefaults: (db: Executor, partnerId: string) =>
      db.selectFrom('partners').select(['id', 'compliance_defaults']).where('id', '=', partnerId).executeTakeFirst(),

    setPartnerDefaults: (db: Executor, partnerId: string, value: Record<string, unknown> | null) =>
      db
        .updateTable('partners')
        .set({ compliance_defaults: value === null ? null : JSON.stringify(value) })
        .where('id', '=', partnerId)
        .execute(),

    insertAttestation: (db: Executor, row: Insertable<ComplianceAttestationsTable>) =>
      db.insertInto('compliance_attestations').values(row).returningAll().executeTakeFirstOrThrow(),

    attestation: (db: Executor, id: string) =>
      db.selectFrom('compliance_attestations').selectAll().where('id', '=', id).executeTakeFirst(),

    attestationsOf: (db: Executor, practiceId: string) =>
      db
        .selectFrom('compliance_attestations')
        .select([
          'id',
          'practice_id',
          'partner_id',
          'framework',
          'control_id',
          'statement',
          'document_name',
          'document_type',
          'document_sha256',
          'attested_by',
          'attested_at',
          'expires_at',
          'revoked_at',
          'revoked_by',
        ])
        .where('practice_id', '=', practiceId)
        .orderBy('attested_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1000)
        .execute(),

    revokeAttestation: (db: Executor, id: string, by: string | null, at: Date) =>
      db
        .updateTable('compliance_attestations')
        .set({ revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),

    upsertSnapshot: (
      db: Executor,
      row: {
        scope: SnapshotScope;
        scopeId: string;
        framework: FrameworkId;
        day: string;
        at: Date;
        score: number | null;
        counts: ScoreCounts;
      },
    ) =>
      db
        .insertInto('compliance_score_snapshots')
        .values({
          scope_type: row.scope,
          scope_id: row.scopeId,
          framework: row.framework,
          day: row.day,
          at: row.at,
          score: row.score,
          counts: JSON.stringify(row.counts),
          computed_at: row.at,
          verified_at: null,
        })
        .onConflict((oc) =>
          oc.columns(['scope_type', 'scope_id', 'framework', 'day']).doUpdateSet({
            at: row.at,
            score: row.score,
            counts: JSON.stringify(row.counts),
            computed_at: row.at,
            verified_at: null,
          }),
        )
        .execute(),

    history: (db: Executor, scope: SnapshotScope, scopeId: string, since: string, framework?: FrameworkId) =>
      db
        .selectFrom('compliance_score_snapshots')
        .select(SNAPSHOT_COLUMNS)
        .where('scope_type', '=', scope)
        .where('scope_id', '=', scopeId)
        .where('day', '>=', since)
        .$if(framework !== undefined, (q) => q.where('framework', '=', framework as string))
        .orderBy('day')
        .orderBy('framework')
        .execute(),

    unverifiedSnapshots: (db: Executor, before: Date, limit: number) =>
      db
        .selectFrom('compliance_score_snapshots')
        .select(SNAPSHOT_COLUMNS)
        .where('verified_at', 'is', null)
        .where('computed_at', '<=', before)
        .orderBy('computed_at')
        .limit(limit)
        .execute(),

    markVerified: (db: Executor, key: { scope: string; scopeId: string; framework: string; day: string }, at: Date) =>
      db
        .updateTable('compliance_score_snapshots')
        .set({ verified_at: at })
        .where('scope_type', '=', key.scope)
        .where('scope_id', '=', key.scopeId)
        .where('framework', '=', key.framework)
        .where('day', '=', key.day)
        .execute(),
  };
}
export type ComplianceStore = ReturnType<typeof createComplianceStore>;
