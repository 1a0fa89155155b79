import {
  type CheckDefinition,
  checkById,
  OVERVIEW_FRAMEWORK_LABELS,
  OVERVIEW_FRAMEWORKS,
  type FrameworkCompliance,
  type OverviewFrameworkId,
  HEALING_TIERS,
  type HealingTierStats,
  type OverviewResponse,
  type PracticeTrendQuery,
  type PracticeTrendResponse,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { OverviewStore } from './overview.store';

export const OVERVIEW_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** Whether a catalog check is mapped to this framework. */
const MAPPED: Record<OverviewFrameworkId, (check: CheckDefinition) => boolean> = {
  hipaa: (c) => c.hipaa.length > 0,
  soc2: (c) => c.mappings.soc2.length > 0,
  nist80053: (c) => c.mappings.nist80053.length > 0,
  cis: (c) => c.mappings.cis.length > 0,
};

/** passing ÷ (passing + failing) as a whole percent; null when neither. */
export const percentOf = (passing: number, failing: number): number | null =>
  passing + failing === 0 ? null : Math.round((100 * passing) / (passing + failing));

/** Per framework: latest results of checks mapped to it, by status. Unknown check ids count nowhere. */
export function frameworkCompliance(rows: readonly { checkId: string; status: string; n: number }[]) {
  const totals = new Map(OVERVIEW_FRAMEWORKS.map((f) => [f, { passing: 0, failing: 0, other: 0 }]));
  for (const row of rows) {
    const check = checkById(row.checkId);
    if (!check) continue;
    for (const framework of OVERVIEW_FRAMEWORKS) {
      const t = totals.get(framework);
      if (!t || !MAPPED[framework](check)) continue;
      if (row.status === 'pass') t.passing += row.n;
      else if (row.status === 'fail') t.failing += row.n;
      else t.other += row.n;
    }
  }
  return OVERVIEW_FRAMEWORKS.map((framework): FrameworkCompliance => {
    const t = totals.get(framework) ?? { passing: 0, failing: 0, other: 0 };
    return { framework, label: OVERVIEW_FRAMEWORK_LABELS[framework], ...t, percent: percentOf(t.passing, t.failing) };
  });
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** Dashboard statistics: compliance by framework, healing by tier, a practice's daily score. */
export function createOverviewService(deps: {
  db: Kysely<DB>;
  store: OverviewStore;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, authorize, now } = deps;
  return {
    async overview(actor: ActorContext): Promise<OverviewResponse> {
      const reach = actorReach(actor);
      const since = new Date(now().getTime() - OVERVIEW_WINDOW_DAYS * DAY_MS);
      const [latest, healing] = await Promise.all([
        store.latestByCheck(db, reach),
        store.healingByTier(db, reach, since),
      ]);
      const byTier = new Map(healing.map((h) => [h.tier, h]));
      return {
        windowDays: OVERVIEW_WINDOW_DAYS,
        frameworks: frameworkCompliance(latest.map((r) => ({ ...r, n: Number(r.n) }))),
        healing: HEALING_TIERS.map((tier): HealingTierStats => {
          const h = byTier.get(tier);
          return {
            tier,
            attempts: Number(h?.attempts ?? 0),
            healed: Number(h?.healed ?? 0),
            failed: Number(h?.failed ?? 0),
            refused: Number(h?.refused ?? 0),
            medianDurationMs: h?.median_ms == null ? null : Math.max(0, Math.round(Number(h.median_ms))),
          };
        }),
      };
    },

    /** One point per UTC day, oldest first, ending today. */
    async practiceTrend(
      actor: ActorContext,
      practiceId: string,
      query: PracticeTrendQuery,
    ): Promise<PracticeTrendResponse> {
      await authorize.practice(actor, practiceId);
      const today = now();
      const first = new Date(today.getTime() - (query.days - 1) * DAY_MS);
      const rows = await store.practiceTrend(db, practiceId, utcDay(first), utcDay(today));
      return {
        practiceId,
        days: query.days,
        points: rows.map((r) => ({ ...r, score: percentOf(r.passing, r.failing) })),
      };
    },
  };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
