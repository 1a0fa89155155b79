import { sql } from 'kysely';
import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Executor } from '../../platform/context';

/**
 * Read-only statistics over the evidence tables and score snapshots (owned by the modules that write
 * them): aggregates for dashboards, always narrowed to the caller's reach through the site.
 */
export function createOverviewStore() {
  return {
    /** Each site's newest daily score snapshot per framework since `since` (YYYY-MM-DD), within reach. */
    latestSiteScores(db: Executor, reach: Reach, since: string) {
      return withinReach(
        db
          .selectFrom('compliance_score_snapshots')
          .select(['scope_id', 'framework', 'score', 'counts'])
          .distinctOn(['scope_id', 'framework'])
          .where('scope_type', '=', 'site')
          .where('day', '>=', since)
          .orderBy('scope_id')
          .orderBy('framework')
          .orderBy('day', 'desc'),
        reach,
        { site: 'compliance_score_snapshots.scope_id' },
      ).execute();
    },

    /** Healing attempts per tier since `since`, within reach, with the median duration. */
    healingByTier(db: Executor, reach: Reach, since: Date) {
      const tier = sql<string>`evidence_bundles.bundle -> 'observed' ->> 'tier'`;
      return withinReach(
        db
          .selectFrom('evidence_bundles')
          .innerJoin('appliances', 'appliances.id', 'evidence_bundles.appliance_id')
          .select([
            tier.as('tier'),
            sql<string>`count(*)`.as('attempts'),
            sql<string>`count(*) FILTER (WHERE evidence_bundles.status = 'pass')`.as('healed'),
            sql<string>`count(*) FILTER (WHERE evidence_bundles.status = 'fail')`.as('failed'),
            sql<string>`count(*) FILTER (WHERE evidence_bundles.status = 'error')`.as('refused'),
            sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM
              ((evidence_bundles.bundle ->> 'finishedAt')::timestamptz - (evidence_bundles.bundle ->> 'startedAt')::timestamptz)) * 1000)`.as(
              'median_ms',
            ),
          ])
          .where(sql<boolean>`evidence_bundles.bundle ->> 'kind' = 'healing'`)
          .where('evidence_bundles.finished_at', '>=', since)
          .groupBy(tier),
        reach,
        { site: 'appliances.site_id' },
      ).execute();
    },
  };
}

export type OverviewStore = ReturnType<typeof createOverviewStore>;
