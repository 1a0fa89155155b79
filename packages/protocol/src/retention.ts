import { z } from 'zod';
import { Id, Timestamp } from './common';

/**
 * Evidence retention (issue 9): how long evidence bundles are kept, per partner (default six
 * years, what HIPAA asks of compliance documentation) with an optional per-practice override, and
 * the record of what the daily retention job purged. Whole calendar months (UTC) only, and only
 * once the month's compliance packet exists.
 */

export const RETENTION_DEFAULT_MONTHS = 72;
export const RETENTION_MIN_MONTHS = 72;
export const RETENTION_MAX_MONTHS = 1200;

export const RetentionMonths = z.number().int().min(RETENTION_MIN_MONTHS).max(RETENTION_MAX_MONTHS);
export type RetentionMonths = z.infer<typeof RetentionMonths>;

const Bounds = {
  defaultMonths: z.number().int(),
  minMonths: z.number().int(),
  maxMonths: z.number().int(),
};

export const PartnerRetention = z.object({
  partnerId: Id,
  /** What applies to the partner's practices without an override of their own. */
  evidenceRetentionMonths: RetentionMonths,
  /** True while the partner has not set a value (the default applies). */
  isDefault: z.boolean(),
  ...Bounds,
});
export type PartnerRetention = z.infer<typeof PartnerRetention>;

export const PartnerRetentionUpdateRequest = z.strictObject({ evidenceRetentionMonths: RetentionMonths });
export type PartnerRetentionUpdateRequest = z.infer<typeof PartnerRetentionUpdateRequest>;

export const PracticeRetention = z.object({
  practiceId: Id,
  /** The practice's own value; null when its partner's applies. */
  evidenceRetentionMonths: RetentionMonths.nullable(),
  partnerMonths: RetentionMonths,
  /** What the retention job uses for this practice. */
  effectiveMonths: RetentionMonths,
  ...Bounds,
});
export type PracticeRetention = z.infer<typeof PracticeRetention>;

/** null removes the override (the partner's value applies again). */
export const PracticeRetentionUpdateRequest = z.strictObject({
  evidenceRetentionMonths: RetentionMonths.nullable(),
});
export type PracticeRetentionUpdateRequest = z.infer<typeof PracticeRetentionUpdateRequest>;

export const RetentionRunAppliance = z.object({
  applianceId: Id,
  purgedCount: z.number().int().min(0),
  keptCount: z.number().int().min(0),
  /** The last purged bundle: what remains of the chain continues from this seq and hash. */
  lastPurgedSeq: z.number().int().min(1).nullable(),
  lastPurgedHash: z.string().nullable(),
});
export type RetentionRunAppliance = z.infer<typeof RetentionRunAppliance>;

export const RetentionRun = z.object({
  id: Id,
  practiceId: Id,
  /** The calendar month (UTC), `YYYY-MM`. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  /** blocked: past retention but the month's packet did not exist yet; purged: deleted. */
  state: z.enum(['blocked', 'purged']),
  retentionMonths: RetentionMonths,
  blockedAt: Timestamp.nullable(),
  purgedAt: Timestamp.nullable(),
  purgedCount: z.number().int().min(0),
  /** Bundles of the month kept because they are still a host's latest result for a check. */
  keptCount: z.number().int().min(0),
  /** SHA-256 of the month's packet when it was purged. */
  packetSha256: z.string().nullable(),
  appliances: z.array(RetentionRunAppliance),
});
export type RetentionRun = z.infer<typeof RetentionRun>;

export const RetentionRunList = z.object({ items: z.array(RetentionRun) });
export type RetentionRunList = z.infer<typeof RetentionRunList>;
