import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { Id, Timestamp } from './common';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  type Ed25519SignKey,
  type Ed25519VerifyKey,
  Ed25519SignatureB64,
  signEd25519,
  verifyEd25519,
} from './crypto';
import { CheckId } from './evidence';
import { ActionParams, HealingPolicy, L1RuleList, RUNBOOK_ID } from './healing';
import { InstallReleasePayload } from './releases';

/**
 * Orders central sends an appliance in its check-in reply (ARCHITECTURE.md §5).
 * signature = Ed25519 by central's order key over the UTF-8 bytes of
 * `ORDER_SIGNING_PREFIX + canonicalJson(order)`. Schemas validate without transforming, so the
 * parsed order serialises to exactly the bytes that were signed.
 */

export const ORDER_SIGNING_PREFIX = 'osiriscare-order-v1:';
/** The longest an order may stay valid. */
export const ORDER_MAX_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_ITEMS = 500;

export const OrderType = z.enum([
  'set_schedule',
  'set_targets',
  'rotate_token',
  'run_checks_now',
  'set_healing_policy',
  'update_rules',
  'run_runbook',
  'set_exceptions',
  'set_agent_tier',
  'install_release',
]);
export type OrderType = z.infer<typeof OrderType>;

const Hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.:_-]*[A-Za-z0-9])?$/, 'hostname or IP address');

export const SetSchedulePayload = z.strictObject({
  /** Interval for checks not listed below. */
  defaultIntervalSeconds: z.number().int().min(60).max(86_400),
  checks: z
    .array(
      z.strictObject({
        checkId: CheckId,
        intervalSeconds: z.number().int().min(60).max(86_400),
        isEnabled: z.boolean(),
      }),
    )
    .max(MAX_ITEMS),
});

const SshTarget = z.strictObject({
  kind: z.literal('ssh'),
  hostId: Id,
  hostname: Hostname,
  address: Hostname,
  port: z.number().int().min(1).max(65_535),
  username: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z_][a-z0-9_.-]*$/, 'a POSIX user name'),
});
const LocalTarget = z.strictObject({ kind: z.literal('local'), hostId: Id, hostname: Hostname });
export const OrderTarget = z.discriminatedUnion('kind', [LocalTarget, SshTarget]);
export type OrderTarget = z.infer<typeof OrderTarget>;

/** The complete target list; hosts not listed are no longer checked. */
export const SetTargetsPayload = z.strictObject({ targets: z.array(OrderTarget).max(MAX_ITEMS) });

/** Ask the appliance to fetch a new token (the token itself never travels in an order). */
export const RotateTokenPayload = z.strictObject({ reason: z.string().min(1).max(200).optional() });

/** Run now; an omitted list means all checks / all hosts. */
export const RunChecksNowPayload = z.strictObject({
  checkIds: z.array(CheckId).min(1).max(MAX_ITEMS).optional(),
  hostIds: z.array(Id).min(1).max(MAX_ITEMS).optional(),
});

/** How far the site's appliance heals on its own (replaces the whole policy). */
export const SetHealingPolicyPayload = HealingPolicy;

/**
 * The rules central adds to the appliance's built-in pack (promoted and custom rules); replaces the
 * previous set. Takes effect without a restart.
 */
export const UpdateRulesPayload = z.strictObject({ rules: L1RuleList });

/**
 * A fix a person approved (an L2 proposal from an escalation): run this runbook for this open
 * incident now, disruptive or not. The appliance refuses it when the incident is no longer open.
 */
export const RunRunbookPayload = z.strictObject({
  escalationId: Id,
  incidentId: Id,
  hostId: Id,
  checkId: CheckId,
  runbookId: z.string().regex(RUNBOOK_ID),
  params: ActionParams,
});
export type RunRunbookPayload = z.infer<typeof RunRunbookPayload>;

/**
 * One approved compliance exception as the appliance applies it: while `startsAt <= now < expiresAt`
 * (the appliance's clock corrected by its measured offset), results of `checkId` on `hostId` (every
 * host of the site when null) are reported `excepted` and never healed. A control-wide exception
 * reaches the appliance as one entry per check that evidences the control, all with the same `id`.
 */
export const ApplianceException = z.strictObject({
  id: Id,
  checkId: CheckId,
  hostId: Id.nullable(),
  startsAt: Timestamp,
  expiresAt: Timestamp,
});
export type ApplianceException = z.infer<typeof ApplianceException>;

/**
 * The site's whole set of approved exceptions as of `asOf` (replaces the previous set). An
 * appliance ignores a set older than the one it holds, so a late delivery cannot undo a newer one.
 */
export const SetExceptionsPayload = z.strictObject({
  asOf: Timestamp,
  exceptions: z.array(ApplianceException).max(MAX_ITEMS * 4),
});
export type SetExceptionsPayload = z.infer<typeof SetExceptionsPayload>;

/**
 * What the site's workstation agents may heal by themselves (issue 9), as of `asOf`; the appliance
 * ignores a tier older than the one it holds. The tier's values are AgentTier (workstations.ts).
 */
export const SetAgentTierPayload = z.strictObject({
  asOf: Timestamp,
  tier: z.enum(['monitor_only', 'self_heal', 'full_remediation']),
});
export type SetAgentTierPayload = z.infer<typeof SetAgentTierPayload>;

const orderBase = {
  schemaVersion: z.literal(1),
  id: Id,
  applianceId: Id,
  issuedAt: Timestamp,
  expiresAt: Timestamp,
};

export const Order = z
  .discriminatedUnion('type', [
    z.strictObject({ ...orderBase, type: z.literal('set_schedule'), payload: SetSchedulePayload }),
    z.strictObject({ ...orderBase, type: z.literal('set_targets'), payload: SetTargetsPayload }),
    z.strictObject({ ...orderBase, type: z.literal('rotate_token'), payload: RotateTokenPayload }),
    z.strictObject({ ...orderBase, type: z.literal('run_checks_now'), payload: RunChecksNowPayload }),
    z.strictObject({ ...orderBase, type: z.literal('set_healing_policy'), payload: SetHealingPolicyPayload }),
    z.strictObject({ ...orderBase, type: z.literal('update_rules'), payload: UpdateRulesPayload }),
    z.strictObject({ ...orderBase, type: z.literal('run_runbook'), payload: RunRunbookPayload }),
    z.strictObject({ ...orderBase, type: z.literal('set_exceptions'), payload: SetExceptionsPayload }),
    z.strictObject({ ...orderBase, type: z.literal('set_agent_tier'), payload: SetAgentTierPayload }),
    z.strictObject({ ...orderBase, type: z.literal('install_release'), payload: InstallReleasePayload }),
  ])
  .refine((order) => Date.parse(order.expiresAt) > Date.parse(order.issuedAt), {
    message: 'expiresAt must be after issuedAt',
    path: ['expiresAt'],
  })
  .refine((order) => Date.parse(order.expiresAt) - Date.parse(order.issuedAt) <= ORDER_MAX_LIFETIME_MS, {
    message: 'an order may be valid for at most 7 days',
    path: ['expiresAt'],
  });
export type Order = z.infer<typeof Order>;

export const SignedOrder = z.strictObject({ order: Order, signature: Ed25519SignatureB64 });
export type SignedOrder = z.infer<typeof SignedOrder>;

export type OrderFailureCode = 'BAD_SIGNATURE' | 'EXPIRED' | 'WRONG_APPLIANCE' | 'REPLAYED' | 'MALFORMED';
export type OrderVerifyResult =
  | { ok: true; order: Order }
  /** `orderId` is set whenever the id could be read, so the refusal can be reported against it. */
  | { ok: false; code: OrderFailureCode; message: string; orderId: string | null };

export type OrderVerifyContext = {
  /** This appliance's id. */
  applianceId: string;
  now: Date;
  /** Whether this order id was already applied (or refused as a replay) here. */
  alreadyApplied: (orderId: string) => boolean | Promise<boolean>;
};

/** Validates and signs an order with central's key. Throws on an invalid order (a bug in the issuer). */
export async function signOrder(order: Order, privateKey: Uint8Array | Ed25519SignKey): Promise<SignedOrder> {
  const valid = Order.parse(order);
  const signature = await signEd25519(privateKey, ORDER_SIGNING_PREFIX + canonicalJson(valid));
  return { order: valid, signature: bytesToBase64Url(signature) };
}

function readOrderId(signed: unknown): string | null {
  const id = (signed as { order?: { id?: unknown } } | null)?.order?.id;
  return Id.safeParse(id).success ? (id as string) : null;
}

/**
 * Checks, in order: shape, central's signature, addressee, expiry, replay. Never throws (an
 * `alreadyApplied` that throws propagates: that is the caller's storage failing, not the order).
 */
export async function verifyOrder(
  signed: unknown,
  centralPublicKey: Uint8Array | Ed25519VerifyKey,
  context: OrderVerifyContext,
): Promise<OrderVerifyResult> {
  const orderId = readOrderId(signed);
  const refuse = (code: OrderFailureCode, message: string): OrderVerifyResult => ({
    ok: false,
    code,
    message,
    orderId,
  });
  const parsed = SignedOrder.safeParse(signed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('MALFORMED', `${issue?.path.join('.') || 'order'}: ${issue?.message ?? 'invalid'}`);
  }
  const { order, signature } = parsed.data;
  const message = ORDER_SIGNING_PREFIX + canonicalJson(order);
  if (!(await verifyEd25519(centralPublicKey, message, base64UrlToBytes(signature)))) {
    return refuse('BAD_SIGNATURE', `order ${order.id} is not signed by central's order key`);
  }
  if (order.applianceId !== context.applianceId) {
    return refuse('WRONG_APPLIANCE', `order ${order.id} is addressed to appliance ${order.applianceId}`);
  }
  if (context.now.getTime() >= Date.parse(order.expiresAt)) {
    return refuse('EXPIRED', `order ${order.id} expired at ${order.expiresAt}`);
  }
  if (await context.alreadyApplied(order.id)) {
    return refuse('REPLAYED', `order ${order.id} was already applied`);
  }
  return { ok: true, order };
}
