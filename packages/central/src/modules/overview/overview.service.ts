import {
  FRAMEWORKS,
  type FrameworkCompliance,
  HEALING_TIERS,
  type HealingTierStats,
  type OverviewResponse,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { actorReach } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { OverviewStore } from './overview.store';

const OVERVIEW_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** Per framework: the mean of the sites' newest snapshot scores, and their control counts summed. */
export function frameworkCompliance(
  rows: readonly { framework: string; score: number | null; counts: Record<string, number> }[],
): FrameworkCompliance[] {
  return FRAMEWORKS.flatMap(({ id, name }) => {
    const mine = rows.filter((r) => r.framework === id);
    if (mine.length === 0) return [];
    const scored = mine.flatMap((r) => (r.score === null ? [] : [r.score]));
    const sum = (key: string) => mine.reduce((total, r) => total + (r.counts[key] ?? 0), 0);
    return [
      {
        framework: id,
        label: name,
        sites: scored.length,
        passing: sum('passing'),
        failing: sum('failing'),
        other: sum('unknown'),
        percent: scored.length === 0 ? null : Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 10) / 10,
      },
    ];
  });
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** Dashboard statistics: compliance by framework, healing by tier, a practice's daily score. */
export function createOverviewService(deps: { db: Kysely<DB>; store: OverviewStore; now: () => Date }) {
  const { db, store, now } = deps;
  return {
    async overview(actor: ActorContext): Promise<OverviewResponse> {
      const reach = actorReach(actor);
      const since = new Date(now().getTime() - OVERVIEW_WINDOW_DAYS * DAY_MS);
      const [latest, healing] = await Promise.all([
        store.latestSiteScores(db, reach, utcDay(new Date(now().getTime() - 2 * DAY_MS))),
        store.healingByTier(db, reach, since),
      ]);
      const byTier = new Map(healing.map((h) => [h.tier, h]));
      return {
        windowDays: OVERVIEW_WINDOW_DAYS,
        frameworks: frameworkCompliance(
          latest.map((r) => ({
            framework: r.framework,
            score: r.score === null ? null : Number(r.score),
            counts: r.counts,
          })),
        ),
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
  };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
