import type { PatternReport } from '@osiris/protocol';
import { canonicalJson } from '@osiris/protocol';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/context';
import type { LearningDecisionsTable, PatternFixReportsTable } from '../../platform/db-schema';

export type DecisionRow = Selectable<LearningDecisionsTable>;

/** One (pattern, runbook, parameters) triple with its L2 record summed over every reporting appliance. */
export interface AggregateRow {
  patternSignature: string;
  runbookId: string;
  paramsKey: string;
  checkId: string;
  incidentType: string;
  l2Attempts: number;
  l2Successes: number;
  applianceCount: number;
  siteCount: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** SQL for pattern reports and learning decisions; nothing else. */
export function createLearningStore() {
  return {
    /** Replaces this appliance's counters for the reported patterns (totals, so a resend is harmless). */
    async replaceReports(
      db: Executor,
      appliance: { applianceId: string; siteId: string },
      patterns: readonly PatternReport[],
      at: Date,
    ): Promise<void> {
      if (patterns.length === 0) return;
      await db
        .insertInto('pattern_reports')
        .values(
          patterns.map((p) => ({
            appliance_id: appliance.applianceId,
            pattern_signature: p.patternSignature,
            site_id: appliance.siteId,
            check_id: p.checkId,
            incident_type: p.incidentType,
            occurrences: p.occurrences,
            l1_attempts: p.l1Attempts,
            l1_successes: p.l1Successes,
            l2_attempts: p.l2Attempts,
            l2_successes: p.l2Successes,
            l3_escalations: p.l3Escalations,
            first_seen_at: p.firstSeenAt,
            last_seen_at: p.lastSeenAt,
            received_at: at,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['appliance_id', 'pattern_signature']).doUpdateSet((eb) => ({
            site_id: eb.ref('excluded.site_id'),
            check_id: eb.ref('excluded.check_id'),
            incident_type: eb.ref('excluded.incident_type'),
            occurrences: eb.ref('excluded.occurrences'),
            l1_attempts: eb.ref('excluded.l1_attempts'),
            l1_successes: eb.ref('excluded.l1_successes'),
            l2_attempts: eb.ref('excluded.l2_attempts'),
            l2_successes: eb.ref('excluded.l2_successes'),
            l3_escalations: eb.ref('excluded.l3_escalations'),
            first_seen_at: eb.ref('excluded.first_seen_at'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
            received_at: eb.ref('excluded.received_at'),
          })),
        )
        .execute();
      await db
        .deleteFrom('pattern_fix_reports')
        .where('appliance_id', '=', appliance.applianceId)
        .where(
          'pattern_signature',
          'in',
          patterns.map((p) => p.patternSignature),
        )
        .execute();
      const fixes = new Map<string, Insertable<PatternFixReportsTable>>();
      for (const p of patterns) {
        for (const fix of p.fixes) {
          const paramsKey = canonicalJson(fix.params);
          const key = `${p.patternSignature}|${fix.tier}|${fix.runbookId}|${paramsKey}`;
          const previous = fixes.get(key);
          fixes.set(key, {
            appliance_id: appliance.applianceId,
            pattern_signature: p.patternSignature,
            tier: fix.tier,
            runbook_id: fix.runbookId,
            params_key: paramsKey,
            params: paramsKey,
            attempts: fix.attempts + Number(previous?.attempts ?? 0),
            successes: fix.successes + Number(previous?.successes ?? 0),
          });
        }
      }
      if (fixes.size > 0)
        await db
          .insertInto('pattern_fix_reports')
          .values([...fixes.values()])
          .execute();
    },

    /** L2 records per (pattern, runbook, parameters) summed over all appliances, those meeting the bar only. */
    async aggregateL2(
      db: Executor,
      bar: { minFixes: number; minRate: number },
      partnerId: string | null,
    ): Promise<AggregateRow[]> {
      const scope =
        partnerId === null
          ? sql``
          : sql`AND p.site_id IN (SELECT s.id FROM sites s JOIN practices pr ON pr.id = s.practice_id
                                  WHERE pr.partner_id = ${partnerId})`;
      const result = await sql<{
        pattern_signature: string;
        runbook_id: string;
        params_key: string;
        check_id: string;
        incident_type: string;
        l2_attempts: string;
        l2_successes: string;
        appliance_count: string;
        site_count: string;
        first_seen_at: Date | string;
        last_seen_at: Date | string;
      }>`
        SELECT f.pattern_signature, f.runbook_id, f.params_key,
               min(p.check_id) AS check_id, min(p.incident_type) AS incident_type,
               sum(f.attempts) AS l2_attempts, sum(f.successes) AS l2_successes,
               count(DISTINCT f.appliance_id) AS appliance_count, count(DISTINCT p.site_id) AS site_count,
               min(p.first_seen_at) AS first_seen_at, max(p.last_seen_at) AS last_seen_at
        FROM pattern_fix_reports f
        JOIN pattern_reports p ON p.appliance_id = f.appliance_id AND p.pattern_signature = f.pattern_signature
        WHERE f.tier = 'L2' ${scope}
        GROUP BY f.pattern_signature, f.runbook_id, f.params_key
        HAVING sum(f.successes) >= ${bar.minFixes} AND sum(f.successes) >= ${bar.minRate} * sum(f.attempts)
        ORDER BY sum(f.successes) DESC, f.pattern_signature, f.runbook_id, f.params_key
        LIMIT 1000`.execute(db);
      return result.rows.map((r) => ({
        patternSignature: r.pattern_signature,
        runbookId: r.runbook_id,
        paramsKey: r.params_key,
        checkId: r.check_id,
        incidentType: r.incident_type,
        l2Attempts: Number(r.l2_attempts),
        l2Successes: Number(r.l2_successes),
        applianceCount: Number(r.appliance_count),
        siteCount: Number(r.site_count),
        firstSeenAt: new Date(r.first_seen_at),
        lastSeenAt: new Date(r.last_seen_at),
      }));
    },

    getDecision(db: Executor, candidateId: string): Promise<DecisionRow | undefined> {
      return db.selectFrom('learning_decisions').selectAll().where('candidate_id', '=', candidateId).executeTakeFirst();
    },

    /** Decisions of one scope: the platform's (null) or one partner's; `withPlatform` adds the platform's. */
    listDecisions(
      db: Executor,
      scope: { partnerId: string | null; withPlatform?: boolean },
      decision?: 'approved' | 'rejected',
    ): Promise<DecisionRow[]> {
      let query = db.selectFrom('learning_decisions').selectAll();
      query =
        scope.partnerId === null
          ? query.where('partner_id', 'is', null)
          : query.where((eb) =>
              scope.withPlatform
                ? eb.or([eb('partner_id', '=', scope.partnerId), eb('partner_id', 'is', null)])
                : eb('partner_id', '=', scope.partnerId),
            );
      if (decision) query = query.where('decision', '=', decision);
      return query.orderBy('decided_at', 'desc').limit(2000).execute();
    },

    /** Inserts unless a decision exists already; undefined then. */
    insertDecision(db: Executor, row: Insertable<LearningDecisionsTable>): Promise<DecisionRow | undefined> {
      return db
        .insertInto('learning_decisions')
        .values(row)
        .onConflict((oc) => oc.column('candidate_id').doNothing())
        .returningAll()
        .executeTakeFirst();
    },

    /** Appliances that take orders (not revoked), with their partner: all, one partner's, or one. */
    async activeAppliances(
      db: Executor,
      filter: { partnerId?: string | null; applianceId?: string },
    ): Promise<{ id: string; partnerId: string }[]> {
      let query = db
        .selectFrom('appliances')
        .innerJoin('sites', 'sites.id', 'appliances.site_id')
        .innerJoin('practices', 'practices.id', 'sites.practice_id')
        .select(['appliances.id as id', 'practices.partner_id as partnerId'])
        .where('appliances.status', '!=', 'revoked');
      if (filter.partnerId) query = query.where('practices.partner_id', '=', filter.partnerId);
      if (filter.applianceId) query = query.where('appliances.id', '=', filter.applianceId);
      return query.execute();
    },
  };
}

export type LearningStore = ReturnType<typeof createLearningStore>;
