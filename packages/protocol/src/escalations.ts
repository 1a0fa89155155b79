import { z } from 'zod';
import { Id, PageQuery, page, Timestamp, text } from './common';
import { CheckId } from './evidence';
import { ActionParams, RUNBOOK_ID } from './healing';

/**
 * L3 escalations (issue 4): what the appliance could not or may not fix alone, sent to central for
 * people (the partner's technicians) with a priority and an SLA.
 */

/** P1 is the most urgent. The appliance maps the check's severity: critical → P1 … low → P4. */
export const EscalationPriority = z.enum(['P1', 'P2', 'P3', 'P4']);
export type EscalationPriority = z.infer<typeof EscalationPriority>;

/** How long people have to acknowledge an escalation, by priority (minutes); a partner may override them. */
export const ESCALATION_SLA_MINUTES: Record<EscalationPriority, number> = {
  P1: 15,
  P2: 60,
  P3: 240,
  P4: 480,
};

/** A partner's acknowledge SLAs (minutes, 5 min to 7 days); a priority left out keeps the default. */
export const EscalationSlaSettings = z.strictObject({
  P1: z.number().int().min(5).max(10_080).optional(),
  P2: z.number().int().min(5).max(10_080).optional(),
  P3: z.number().int().min(5).max(10_080).optional(),
  P4: z.number().int().min(5).max(10_080).optional(),
});
export type EscalationSlaSettings = z.infer<typeof EscalationSlaSettings>;
/** The SLAs in force for a partner: its overrides over the defaults. */
export const EscalationSla = z.object({ P1: z.number(), P2: z.number(), P3: z.number(), P4: z.number() });
export type EscalationSla = z.infer<typeof EscalationSla>;

export const EscalationState = z.enum(['open', 'acknowledged', 'resolved']);
export type EscalationState = z.infer<typeof EscalationState>;

/** One healing attempt before the escalation: which tier tried what, and how it ended. */
export const EscalationAttempt = z.strictObject({
  tier: z.enum(['L1', 'L2']),
  runbookId: z.string().max(120).nullable(),
  ruleId: z.string().max(120).nullable(),
  outcome: z.enum(['success', 'failure', 'refused', 'escalated']),
  startedAt: Timestamp,
  durationMs: z.number().int().min(0),
  error: z.string().max(1000).nullable(),
});
export type EscalationAttempt = z.infer<typeof EscalationAttempt>;

/**
 * A fix the L2 planner proposed but may not run alone (confidence below 0.6, or a disruptive
 * runbook): the escalation then asks people to approve it, and an approval returns to the
 * appliance as a signed `run_runbook` order.
 */
export const EscalationProposal = z.strictObject({
  incidentId: Id,
  runbookId: z.string().regex(RUNBOOK_ID),
  params: ActionParams,
  confidence: z.number().min(0).max(1),
  reasoning: text(1000),
  why: z.enum(['low_confidence', 'disruptive']),
});
export type EscalationProposal = z.infer<typeof EscalationProposal>;

/** What the appliance sends. `id` is chosen by the appliance, so a resend is recognised. */
export const ApplianceEscalationRequest = z.strictObject({
  schemaVersion: z.literal(1),
  id: Id,
  hostId: Id,
  hostname: text(253),
  checkId: CheckId,
  priority: EscalationPriority,
  /** One sentence for people: what is wrong and why the appliance stopped. */
  summary: text(500),
  /** What was detected: the check's reason and observed facts (already scrubbed of PHI). */
  detected: z.strictObject({
    reason: text(1000),
    observed: z.record(z.string().max(100), z.json()),
  }),
  attempts: z.array(EscalationAttempt).max(20),
  /** Seqs of the appliance's evidence bundles that show the problem and the attempts. */
  evidenceSeqs: z.array(z.number().int().min(1)).max(100),
  /** Present when this is an approval request for a fix L2 proposed. */
  proposal: EscalationProposal.optional(),
  createdAt: Timestamp,
});
export type ApplianceEscalationRequest = z.infer<typeof ApplianceEscalationRequest>;

export const Escalation = z.object({
  id: Id,
  applianceId: Id,
  siteId: Id,
  hostId: Id,
  hostname: z.string(),
  checkId: z.string(),
  priority: EscalationPriority,
  state: EscalationState,
  summary: z.string(),
  detected: z.object({ reason: z.string(), observed: z.record(z.string(), z.json()) }),
  attempts: z.array(EscalationAttempt),
  evidenceSeqs: z.array(z.number().int()),
  createdAt: Timestamp,
  receivedAt: Timestamp,
  /** When it must be acknowledged by, from the priority's SLA. */
  slaDueAt: Timestamp,
  isOverdue: z.boolean(),
  acknowledgedAt: Timestamp.nullable(),
  acknowledgedBy: Id.nullable(),
  resolvedAt: Timestamp.nullable(),
  resolvedBy: Id.nullable(),
  resolution: z.string().nullable(),
  proposal: EscalationProposal.nullable(),
  /** Set once a person approved the proposal: the order that carries it to the appliance. */
  approval: z.object({ orderId: Id, approvedBy: Id.nullable(), approvedAt: Timestamp }).nullable(),
  /** Who took it on (a platform or partner user). */
  assignedTo: Id.nullable(),
  assignedAt: Timestamp.nullable(),
  /** When the breach job escalated it to the platform admins (the SLA passed unacknowledged). */
  breachedAt: Timestamp.nullable(),
  /** Milliseconds left to acknowledge (negative once overdue); null once acknowledged or resolved. */
  slaRemainingMs: z.number().int().nullable(),
});
export type Escalation = z.infer<typeof Escalation>;

export const EscalationListQuery = PageQuery.omit({ q: true }).extend({
  siteId: Id.optional(),
  state: EscalationState.optional(),
  priority: EscalationPriority.optional(),
  /** `me`: assigned to the caller; `none`: unassigned. */
  assignee: z.union([z.enum(['me', 'none']), Id]).optional(),
});
export type EscalationListQuery = z.infer<typeof EscalationListQuery>;
export const EscalationPage = page(Escalation);

export const EscalationResolveRequest = z.strictObject({ resolution: text(2000) });
export type EscalationResolveRequest = z.infer<typeof EscalationResolveRequest>;

export const EscalationApproveRequest = z.strictObject({ note: text(1000).optional() });
export type EscalationApproveRequest = z.infer<typeof EscalationApproveRequest>;

/** Assign to a user of the escalation's partner or the platform staff, or clear with null. */
export const EscalationAssignRequest = z.strictObject({ userId: Id.nullable() });
export type EscalationAssignRequest = z.infer<typeof EscalationAssignRequest>;

export const EscalationNoteRequest = z.strictObject({ body: text(4000) });
export type EscalationNoteRequest = z.infer<typeof EscalationNoteRequest>;

export const EscalationNote = z.object({
  id: Id,
  escalationId: Id,
  authorId: Id.nullable(),
  body: z.string(),
  createdAt: Timestamp,
});
export type EscalationNote = z.infer<typeof EscalationNote>;
export const EscalationNoteList = z.object({ items: z.array(EscalationNote) });
