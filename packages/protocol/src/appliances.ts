import { z } from 'zod';
import { Id, PageQuery, Timestamp, page, text } from './common';
import { Ed25519PublicKeyB64 as Ed25519PublicKey, Ed25519SignatureB64 as Ed25519Signature } from './crypto';
import { SignedOrder } from './orders';
import { PROVISION_CODE_PATTERN } from './provisioning';

/** What the appliance signs with its identity key to register: proof that it holds the key. */
export const REGISTRATION_PURPOSE = 'osiris-appliance-registration-v1';
export const RegistrationProof = z.object({
  purpose: z.literal(REGISTRATION_PURPOSE),
  code: z.string(),
  publicKey: z.string(),
  hostname: z.string(),
  signedAt: Timestamp,
});
export type RegistrationProof = z.infer<typeof RegistrationProof>;

export const ApplianceRegisterRequest = z.strictObject({
  schemaVersion: z.literal(1),
  code: z.string().trim().toUpperCase().regex(PROVISION_CODE_PATTERN, 'looks like XXXX-XXXX-XXXX-XXXX'),
  publicKey: Ed25519PublicKey,
  hostname: text(253),
  version: text(64),
  signedAt: Timestamp,
  /** Signature over canonicalJson(RegistrationProof) with the identity key. */
  signature: Ed25519Signature,
});
export type ApplianceRegisterRequest = z.infer<typeof ApplianceRegisterRequest>;

export const ApplianceRegisterResponse = z.object({
  schemaVersion: z.literal(1),
  applianceId: Id,
  siteId: Id,
  /** Bearer token for /v1/appliance/*; shown once, stored hashed. */
  token: z.string(),
  /** Central's order-signing public key, to pin. */
  orderSigningPublicKey: Ed25519PublicKey,
});
export type ApplianceRegisterResponse = z.infer<typeof ApplianceRegisterResponse>;

export const ApplianceCheckinRequest = z.strictObject({
  schemaVersion: z.literal(1),
  version: text(64),
  uptimeSeconds: z
    .number()
    .int()
    .min(0)
    .max(10 * 365 * 86400),
  /** The appliance's own clock, so central can tell its offset. */
  sentAt: Timestamp,
  queues: z.strictObject({
    evidenceOutbox: z.number().int().min(0).max(100_000_000),
    failedUploads: z.number().int().min(0).max(100_000_000),
  }),
  targets: z.strictObject({
    total: z.number().int().min(0).max(100_000),
    reachable: z.number().int().min(0).max(100_000),
  }),
});
export type ApplianceCheckinRequest = z.infer<typeof ApplianceCheckinRequest>;

export const ApplianceCheckinResponse = z.object({
  schemaVersion: z.literal(1),
  serverTime: Timestamp,
  /** Signed orders for this appliance (central issues none yet). */
  orders: z.array(SignedOrder).max(100),
  nextCheckinSeconds: z.number().int(),
});
export type ApplianceCheckinResponse = z.infer<typeof ApplianceCheckinResponse>;

export const ApplianceStatus = z.enum(['active', 'flagged', 'revoked']);
export const Appliance = z.object({
  id: Id,
  siteId: Id,
  hostname: z.string(),
  version: z.string(),
  publicKey: z.string(),
  status: ApplianceStatus,
  registeredAt: Timestamp,
  lastCheckinAt: Timestamp.nullable(),
  clockOffsetMs: z.number().int().nullable(),
  lastHealth: ApplianceCheckinRequest.omit({ schemaVersion: true }).nullable(),
});
export type Appliance = z.infer<typeof Appliance>;
export const ApplianceListQuery = PageQuery.omit({ q: true }).extend({ status: ApplianceStatus.optional() });
export type ApplianceListQuery = z.infer<typeof ApplianceListQuery>;
export const AppliancePage = page(Appliance);

/**
 * Token rotation (answer to a `rotate_token` order). The appliance signs, with its identity key,
 * canonicalJson(TokenRotationProof); central answers with a new token. The old token keeps working
 * until the new one is first used, so a crash between the two never locks the appliance out.
 */
export const TOKEN_ROTATION_PURPOSE = 'osiris-appliance-token-rotation-v1';
export const TokenRotationProof = z.object({
  purpose: z.literal(TOKEN_ROTATION_PURPOSE),
  applianceId: Id,
  orderId: Id,
  signedAt: Timestamp,
});
export type TokenRotationProof = z.infer<typeof TokenRotationProof>;

export const TokenRotationRequest = z.strictObject({
  schemaVersion: z.literal(1),
  orderId: Id,
  signedAt: Timestamp,
  signature: Ed25519Signature,
});
export type TokenRotationRequest = z.infer<typeof TokenRotationRequest>;

export const TokenRotationResponse = z.object({
  schemaVersion: z.literal(1),
  /** The new bearer token; shown once, stored hashed. */
  token: z.string(),
});
export type TokenRotationResponse = z.infer<typeof TokenRotationResponse>;
