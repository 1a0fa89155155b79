import type { FrameworkId, FrameworkScore, ScoreCounts, ScoreHistory } from '@osiris/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { type ActorContext, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import type { ComplianceService } from './compliance.service';
import type { ComplianceStore, SnapshotScope } from './compliance.store';

const DAY_MS = 86_400_000;
/** Snapshots younger than this are left for the next verification run (their inputs may still be arriving). */
const VERIFY_AFTER_MS = 60_000;
const VERIFY_BATCH = 200;
/** How many past days a new scope's history is filled in for. */
const BACKFILL_DAYS = 30;

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
const sameCounts = (a: ScoreCounts, b: Record<string, number>) =>
  (Object.keys(a) as (keyof ScoreCounts)[]).every((key) => a[key] === b[key]);

/**
 * Daily score snapshots (trends) and their verification: the snapshot job stores each site's,
 * practice's and partner's score per framework for the current UTC day (the latest run of the day
 * wins); the verification job recomputes stored snapshots from stored results as of their moment
 * and audits any difference, so a stored score is known to be reproducible.
 */
export function createSnapshots(deps: {
  db: Kysely<DB>;
  store: ComplianceStore;
  compliance: Pick<ComplianceService, 'computeSite' | 'computePractice' | 'computePartner'>;
  audit: AuditService;
  authorize: Authorizer;
  log?: FastifyBaseLogger;
  now: () => Date;
}) {
  const { db, store, compliance, audit, authorize, now } = deps;

  const compute = (scope: SnapshotScope, id: string, at: Date, framework?: FrameworkId): Promise<FrameworkScore[]> =>
    scope === 'site'
      ? compliance.computeSite(id, at, framework)
      : scope === 'practice'
        ? compliance.computePractice(id, at, framework)
        : compliance.computePartner(id, at, framework);

  async function save(scope: SnapshotScope, id: string, at: Date): Promise<number> {
    const scores = await compute(scope, id, at);
    for (const s of scores)
      await store.upsertSnapshot(db, {
        scope,
        scopeId: id,
        framework: s.framework,
        day: utcDay(at),
        at,
        score: s.score,
        counts: s.counts,
      });
    return scores.length;
  }

  return {
    /**
     * Stores today's snapshot of every site, practice and partner, and fills in missing earlier days
     * (up to `BACKFILL_DAYS`, not before the scope's first appliance registered) as of each day's
     * end: results are kept as append-only evidence, so a past day's score can be computed exactly.
     * Returns how many rows it wrote.
     */
    async snapshotAll(): Promise<number> {
      const at = now();
      const sites = await store.allSites(db);
      const since = utcDay(new Date(at.getTime() - BACKFILL_DAYS * DAY_MS));
      const existing = await store.snapshotDays(db, since);
      const scopes = new Map<string, { scope: SnapshotScope; id: string; first: Date | null }>();
      const note = (scope: SnapshotScope, id: string, first: Date | null) => {
        const key = `${scope}:${id}`;
        const seen = scopes.get(key);
        const earliest = seen?.first && first ? (seen.first < first ? seen.first : first) : (seen?.first ?? first);
        scopes.set(key, { scope, id, first: earliest });
      };
      for (const s of sites) {
        const first = s.firstRegisteredAt ? new Date(s.firstRegisteredAt) : null;
        note('site', s.siteId, first);
        note('practice', s.practiceId, first);
        note('partner', s.partnerId, first);
      }
      let written = 0;
      // Sites first, then practices, then partners: each level only reads stored results, never snapshots.
      for (const { scope, id, first } of scopes.values()) {
        written += await save(scope, id, at);
        if (!first) continue;
        for (let back = 1; back <= BACKFILL_DAYS; back++) {
          const dayStart = Date.parse(`${utcDay(new Date(at.getTime() - back * DAY_MS))}T00:00:00.000Z`);
          const dayEnd = new Date(dayStart + DAY_MS - 1);
          if (dayEnd < first) break;
          if (existing.has(`${scope}:${id}:${utcDay(dayEnd)}`)) continue;
          written += await save(scope, id, dayEnd);
        }
      }
      return written;
    },

    /** Recomputes unverified snapshots as of their moment; returns how many differed (each audited). */
    async verify(): Promise<{ checked: number; mismatched: number }> {
      const rows = await store.unverifiedSnapshots(db, new Date(now().getTime() - VERIFY_AFTER_MS), VERIFY_BATCH);
      let mismatched = 0;
      for (const row of rows) {
        const [again] = await compute(
          row.scope_type as SnapshotScope,
          row.scope_id,
          row.at,
          row.framework as FrameworkId,
        );
        const stored = row.score === null ? null : Number(row.score);
        const key = { scope: row.scope_type, scopeId: row.scope_id, framework: row.framework, day: row.day };
        if (again && again.score === stored && sameCounts(again.counts, row.counts)) {
          await store.markVerified(db, key, now());
          continue;
        }
        mismatched++;
        deps.log?.warn(
          { ...key, stored, recomputed: again?.score ?? null },
          'stored score differs from its recomputation',
        );
        await db.transaction().execute((trx) =>
          audit.record(trx, SYSTEM_ACTOR, {
            action: 'score.mismatch',
            targetType: row.scope_type,
            targetId: row.scope_id,
            details: {
              ...key,
              stored,
              recomputed: again?.score ?? null,
              storedCounts: row.counts,
              recomputedCounts: again?.counts ?? null,
            },
          }),
        );
        await store.markVerified(db, key, now()); // reported once; the audit entry keeps the finding
      }
      return { checked: rows.length, mismatched };
    },

    async history(
      actor: ActorContext,
      scope: SnapshotScope,
      id: string,
      query: { framework?: FrameworkId | undefined; days: number },
    ): Promise<ScoreHistory> {
      if (scope === 'site') await authorize.site(actor, id);
      else if (scope === 'practice') await authorize.practice(actor, id);
      else await authorize.partner(actor, id);
      const since = utcDay(new Date(now().getTime() - (query.days - 1) * DAY_MS));
      const rows = await store.history(db, scope, id, since, query.framework);
      return {
        scope: { kind: scope, id },
        items: rows.map((row) => ({
          framework: row.framework as FrameworkId,
          day: row.day,
          at: row.at.toISOString(),
          score: row.score === null ? null : Number(row.score),
          counts: row.counts as ScoreCounts,
        })),
      };
    },
  };
}
export type Snapshots = ReturnType<typeof createSnapshots>;
