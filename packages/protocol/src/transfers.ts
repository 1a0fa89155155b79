import { z } from 'zod';
import { Id, PageQuery, Timestamp, page } from './common';

/** Practice transfers: a practice asks to move to another partner; a platform admin decides. */

/** Trimmed text of up to `max` characters; line breaks and tabs allowed, other control characters not. */
const note = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^(?:[^\p{Cc}]|[\n\t])*$/u, 'must not contain control characters');

export const PracticeTransferState = z.enum(['pending', 'approved', 'rejected']);

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

export const PracticeTransferCreateRequest = z.strictObject({
  toPartnerId: Id,
  reason: note(1000),
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
