import { z } from 'zod';
import { Id, Timestamp, page, text } from './common';

export const AuditActorType = z.enum(['user', 'system', 'anonymous', 'appliance', 'api_key']);
export const AuditOutcome = z.enum(['success', 'failure', 'denied']);

export const AuditEntry = z.object({
  id: Id,
  seq: z.number().int(),
  occurredAt: Timestamp,
  actorType: AuditActorType,
  actorId: Id.nullable(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: AuditOutcome,
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditListQuery = z.strictObject({
  cursor: z.string().max(40).regex(/^\d+$/, 'malformed cursor').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: text(100).optional(),
  actorId: Id.optional(),
  targetType: text(50).optional(),
  targetId: text(100).optional(),
  outcome: AuditOutcome.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;
export const AuditPage = page(AuditEntry);

export const AuditVerifyResponse = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int().nullable(),
  headHash: z.string().nullable(),
  firstBad: z
    .object({ id: Id, seq: z.number().int(), reason: z.enum(['hash_mismatch', 'broken_link', 'sequence_gap']) })
    .nullable(),
});
export type AuditVerifyResponse = z.infer<typeof AuditVerifyResponse>;

/** The first hash in the chain links to this. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
