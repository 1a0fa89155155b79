import { z } from 'zod';
import { Id, Timestamp, text } from './common';
import { CheckId } from './evidence';
import { ActionParams, L1Rule, RUNBOOK_ID } from './healing';

/**
 * The learning loop (issue 4): appliances report per-pattern healing statistics; central
 * aggregates them across appliances; a pattern that L2 fixed reliably becomes a candidate; a person
 * approves it and it returns to every appliance as an L1 rule with its provenance.
 */

/** A candidate needs at least this many L2 fixes … */
export const LEARNING_MIN_L2_FIXES = 5;
/** … with at least this share of its L2 attempts successful. */
export const LEARNING_MIN_SUCCESS_RATE = 0.9;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex');
const Count = z.number().int().min(0).max(1_000_000_000);

/** How one runbook with one set of parameters did on a pattern, at one tier. */
export const PatternFixReport = z
  .strictObject({
    tier: z.enum(['L1', 'L2']),
    runbookId: z.string().regex(RUNBOOK_ID),
    params: ActionParams,
    attempts: Count,
    successes: Count,
  })
  .refine((fix) => fix.successes <= fix.attempts, { message: 'successes cannot exceed attempts', path: ['successes'] });
export type PatternFixReport = z.infer<typeof PatternFixReport>;

/** One pattern's counters on one appliance. Counters are totals, so a resend changes nothing. */
export const PatternReport = z.strictObject({
  patternSignature: Sha256Hex,
  checkId: CheckId,
  incidentType: text(40),
  occurrences: Count,
  l1Attempts: Count,
  l1Successes: Count,
  l2Attempts: Count,
  l2Successes: Count,
  l3Escalations: Count,
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  fixes: z.array(PatternFixReport).max(20),
});
export type PatternReport = z.infer<typeof PatternReport>;

export const AppliancePatternsRequest = z.strictObject({
  schemaVersion: z.literal(1),
  patterns: z.array(PatternReport).max(1_000),
});
export type AppliancePatternsRequest = z.infer<typeof AppliancePatternsRequest>;

export const AppliancePatternsResponse = z.object({ accepted: z.number().int() });

export const LearningCandidateStatus = z.enum(['candidate', 'approved', 'rejected']);

/** A pattern, a runbook and its parameters, aggregated over every appliance that reported them. */
export const LearningCandidate = z.object({
  /** SHA-256 of pattern, runbook and canonical parameters: stable across reports. */
  id: Sha256Hex,
  patternSignature: Sha256Hex,
  checkId: z.string(),
  incidentType: z.string(),
  runbookId: z.string(),
  params: ActionParams,
  l2Attempts: z.number().int(),
  l2Successes: z.number().int(),
  successRate: z.number(),
  applianceCount: z.number().int(),
  siteCount: z.number().int(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  status: LearningCandidateStatus,
  decidedAt: Timestamp.nullable(),
  decidedBy: Id.nullable(),
  note: z.string().nullable(),
  /** The L1 rule an approval made (with its provenance); null otherwise. */
  rule: L1Rule.nullable(),
});
export type LearningCandidate = z.infer<typeof LearningCandidate>;

export const LearningCandidateQuery = z.strictObject({
  status: LearningCandidateStatus.optional(),
});
export type LearningCandidateQuery = z.infer<typeof LearningCandidateQuery>;

export const LearningCandidateList = z.object({ items: z.array(LearningCandidate) });

export const LearningCandidateParams = z.strictObject({ id: Sha256Hex });

export const LearningDecisionRequest = z.strictObject({ note: text(1000).optional() });
export type LearningDecisionRequest = z.infer<typeof LearningDecisionRequest>;

export const LearningRejectRequest = z.strictObject({ note: text(1000) });

/** After an approval: the decision and the appliances that were sent the new rule set. */
export const LearningApproval = z.object({
  candidate: LearningCandidate,
  ordersIssued: z.number().int(),
});
