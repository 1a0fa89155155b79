import { z } from 'zod';
import { Id, PageQuery, Timestamp, page } from './common';
import { Slug } from './tenancy';

/** Practice transfers: a practice asks to move to another partner; a platform admin decides. */

/** Trimmed text of up to `max` characters; line breaks and tabs allowed, other control characters not. */
const note = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^(?:[^\p{Cc}]|[\n\t])*$/u, 'must not contain control characters');

export const PracticeTransferState = z.enum(['pending', 'approved', 'rejected', 'cancelled']);

export const PracticeTransfer = z.object({
  id: Id,
  practiceId: Id,
  fromPartnerId: Id,
  toPartnerId: Id,
  reason: z.string(),
  state: PracticeTransferState,
  requestedBy: Id.nullable(),
  requestedAt: Timestamp,
  decidedBy: Id.nullable(),
  decidedAt: Timestamp.nullable(),
  decisionNote: z.string().nullable(),
});
export type PracticeTransfer = z.infer<typeof PracticeTransfer>;

/**
 * The destination partner by id (platform staff, who can list partners) or by its slug (the
 * practice owner, who is told it by the new partner): exactly one of the two.
 */
export const PracticeTransferCreateRequest = z
  .strictObject({
    toPartnerId: Id.optional(),
    toPartnerSlug: Slug.optional(),
    reason: note(1000),
  })
  .superRefine((value, ctx) => {
    const given = Number(value.toPartnerId !== undefined) + Number(value.toPartnerSlug !== undefined);
    if (given !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['toPartnerSlug'],
        message: given === 0 ? 'name the partner to move to' : 'give either toPartnerId or toPartnerSlug, not both',
      });
  });
export type PracticeTransferCreateRequest = z.infer<typeof PracticeTransferCreateRequest>;

/** The body may be left out entirely (Fastify hands an absent body on as null). */
export const PracticeTransferApproveRequest = z.strictObject({ note: note(1000).optional() }).nullish();
export type PracticeTransferApproveRequest = z.infer<typeof PracticeTransferApproveRequest>;

/** A rejection always says why (the practice owner is told). */
export const PracticeTransferRejectRequest = z.strictObject({ note: note(1000) });
export type PracticeTransferRejectRequest = z.infer<typeof PracticeTransferRejectRequest>;

export const PracticeTransferList = z.object({ items: z.array(PracticeTransfer) });

export const PracticeTransferListQuery = PageQuery.omit({ q: true }).extend({
  state: PracticeTransferState.optional(),
});
export type PracticeTransferListQuery = z.infer<typeof PracticeTransferListQuery>;
export const PracticeTransferPage = page(PracticeTransfer);

/** A practice's transfer request, addressed under the practice. */
export const PracticeTransferParams = z.strictObject({ id: Id, requestId: Id });
