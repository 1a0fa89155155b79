import { z } from 'zod';
import { Id, PageQuery, page, Timestamp, text } from './common';
import { CheckId, ControlId } from './evidence';
import { FrameworkId } from './frameworks/schema';

/**
 * Compliance exceptions (issue 7): a site, or one host of it, is excused from one check — or from
 * every check that evidences one control of a framework — for a stated reason and a bounded time.
 * Practice owners and partner staff request; a partner admin or a platform admin approves. Approved
 * exceptions reach the site's appliances as a signed `set_exceptions` order: the appliance reports
 * covered results as `excepted` and does not heal them. At expiry healing resumes.
 */

/** An exception lasts at most this long (one year). */
export const EXCEPTION_MAX_DAYS = 365;

export const ExceptionState = z.enum(['pending', 'approved', 'rejected', 'revoked', 'expired']);
export type ExceptionState = z.infer<typeof ExceptionState>;

export const ExceptionScope = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('check'), checkId: CheckId }),
  z.strictObject({ kind: z.literal('control'), framework: FrameworkId, controlId: ControlId }),
]);
export type ExceptionScope = z.infer<typeof ExceptionScope>;

export const ComplianceException = z.object({
  id: Id,
  partnerId: Id,
  practiceId: Id,
  siteId: Id,
  /** Null: every host of the site. */
  hostId: Id.nullable(),
  scope: ExceptionScope,
  /** The checks the exception covers (one for a check, those that evidence the control otherwise). */
  checkIds: z.array(CheckId),
  reason: z.string(),
  state: ExceptionState,
  requestedBy: Id.nullable(),
  requestedAt: Timestamp,
  decidedBy: Id.nullable(),
  decidedAt: Timestamp.nullable(),
  decisionNote: z.string().nullable(),
  startsAt: Timestamp,
  expiresAt: Timestamp,
  /** When an approved exception stopped applying (revoked or expired), by whom (null: the expiry job). */
  endedAt: Timestamp.nullable(),
  endedBy: Id.nullable(),
  /** Why it was revoked (null while in force, and for an expiry). */
  endNote: z.string().nullable(),
  /** Display names of the people above, for auditors and partners who cannot look users up. */
  names: z.object({
    requestedBy: z.string().nullable(),
    decidedBy: z.string().nullable(),
    endedBy: z.string().nullable(),
  }),
  /** True while approved and `startsAt <= now < expiresAt`. */
  isActive: z.boolean(),
});
export type ComplianceException = z.infer<typeof ComplianceException>;

export const ExceptionCreateRequest = z
  .strictObject({
    hostId: Id.nullable().default(null),
    scope: ExceptionScope,
    /** Why the site cannot comply, and what compensates; read by auditors. */
    reason: text(2000, 10),
    /** Default: now. */
    startsAt: Timestamp.optional(),
    expiresAt: Timestamp,
  })
  .refine((r) => r.startsAt === undefined || Date.parse(r.expiresAt) > Date.parse(r.startsAt), {
    message: 'expiresAt must be after startsAt',
    path: ['expiresAt'],
  });
export type ExceptionCreateRequest = z.input<typeof ExceptionCreateRequest>;

/** Approving may carry a note; rejecting and revoking always say why. */
export const ExceptionApproveRequest = z.strictObject({ note: text(1000).optional() }).nullish();
export const ExceptionDecisionRequest = z.strictObject({ note: text(1000) });
export type ExceptionDecisionRequest = z.infer<typeof ExceptionDecisionRequest>;

export const ExceptionListQuery = PageQuery.omit({ q: true }).extend({
  siteId: Id.optional(),
  state: ExceptionState.optional(),
});
export type ExceptionListQuery = z.infer<typeof ExceptionListQuery>;
export const ExceptionPage = page(ComplianceException);
