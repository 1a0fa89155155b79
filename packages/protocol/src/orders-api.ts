import { z } from 'zod';
import { Id, Timestamp } from './common';
import {
  RotateTokenPayload,
  RunChecksNowPayload,
  SetHealingPolicyPayload,
  SetSchedulePayload,
  SetTargetsPayload,
  SignedOrder,
  UpdateRulesPayload,
} from './orders';

const lifetime = {
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
};

/** A person asks central to send an appliance an order; central signs it. */
export const OrderCreateRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set_schedule'), payload: SetSchedulePayload, ...lifetime }),
  z.strictObject({ type: z.literal('set_targets'), payload: SetTargetsPayload, ...lifetime }),
  z.strictObject({ type: z.literal('rotate_token'), payload: RotateTokenPayload, ...lifetime }),
  z.strictObject({ type: z.literal('run_checks_now'), payload: RunChecksNowPayload, ...lifetime }),
  z.strictObject({ type: z.literal('set_healing_policy'), payload: SetHealingPolicyPayload, ...lifetime }),
  z.strictObject({ type: z.literal('update_rules'), payload: UpdateRulesPayload, ...lifetime }),
]);
export type OrderCreateRequest = z.infer<typeof OrderCreateRequest>;

export const OrderState = z.enum(['pending', 'delivered', 'succeeded', 'failed', 'refused', 'expired']);
export type OrderState = z.infer<typeof OrderState>;

export const OrderRecord = z.object({
  id: Id,
  applianceId: Id,
  type: z.string(),
  state: OrderState,
  createdBy: Id.nullable(),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  deliveredAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  result: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
  signed: SignedOrder,
});
export type OrderRecord = z.infer<typeof OrderRecord>;
export const OrderList = z.object({ items: z.array(OrderRecord) });

/**
 * The appliance's answer to an order: applied (`ok`), failed while applying, or refused before
 * applying (bad signature, expired, wrong appliance, replayed, malformed).
 */
export const OrderResultRequest = z.strictObject({
  schemaVersion: z.literal(1),
  outcome: z.enum(['succeeded', 'failed', 'refused']),
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  message: z.string().max(1000).optional(),
});
export type OrderResultRequest = z.infer<typeof OrderResultRequest>;
export const OrderResultParams = z.strictObject({ orderId: Id });
