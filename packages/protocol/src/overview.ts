import { z } from 'zod';
import { FrameworkId } from './frameworks/schema';

/** Fleet statistics (`GET /v1/overview`), scoped to what the caller reaches. Trends: score history. */

const Count = z.number().int().min(0);

/**
 * One framework across the sites within reach, from each site's newest daily score snapshot:
 * `percent` is the mean of the sites' scores (one decimal), counts are controls summed over sites
 * (`other` = unknown, i.e. stale or unable to run), `sites` how many sites have a score.
 */
export const FrameworkCompliance = z.object({
  framework: FrameworkId,
  label: z.string().max(80),
  sites: Count,
  passing: Count,
  failing: Count,
  other: Count,
  percent: z.number().min(0).max(100).nullable(),
});
export type FrameworkCompliance = z.infer<typeof FrameworkCompliance>;

/** The healing tiers evidence records. */
export const HEALING_TIERS = ['L1', 'L2', 'L3'] as const;
export const HealingTier = z.enum(HEALING_TIERS);
export type HealingTier = z.infer<typeof HealingTier>;

/** Healing attempts of one tier in the window: healed (pass), failed (fail), refused (error). */
export const HealingTierStats = z.object({
  tier: HealingTier,
  attempts: Count,
  healed: Count,
  failed: Count,
  refused: Count,
  /** Median of finishedAt − startedAt, null without attempts. */
  medianDurationMs: z.number().int().min(0).nullable(),
});
export type HealingTierStats = z.infer<typeof HealingTierStats>;

export const OverviewResponse = z.object({
  windowDays: z.number().int().min(1),
  frameworks: z.array(FrameworkCompliance).max(FrameworkId.options.length),
  healing: z.array(HealingTierStats).max(HEALING_TIERS.length),
});
export type OverviewResponse = z.infer<typeof OverviewResponse>;
