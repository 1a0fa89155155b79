import { createPublicKey, verify } from 'node:crypto';
import {
  type ApplianceCheckinRequest,
  type ApplianceRegisterRequest,
  type ApplianceRegisterResponse,
  canonicalJson,
  REGISTRATION_PURPOSE,
  TOKEN_ROTATION_PURPOSE,
  type TokenRotationRequest,
  type TokenRotationResponse,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import { isUniqueViolation } from '../../platform/db-errors';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import { newId, newToken } from '../../platform/ids';
import type { OrderSigningKey } from '../../platform/order-signing-key';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { type AppliancesStore, toProvisionCode } from './appliances.store';

/** How far the appliance's signing time may be from ours: its clock is not trusted further. */
const MAX_PROOF_SKEW_MS = 10 * 60_000;
const CHECKIN_INTERVAL_SECONDS = 60;

/** Ed25519 verification with a raw public key; false (never an exception) for anything malformed. */
function verifySignedBy(publicKey: string, message: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(message), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

function verifyProof(input: ApplianceRegisterRequest): boolean {
  const message = canonicalJson({
    purpose: REGISTRATION_PURPOSE,
    code: input.code,
    publicKey: input.publicKey,
    hostname: input.hostname,
    signedAt: input.signedAt,
  });
  return verifySignedBy(input.publicKey, message, input.signature);
}

/** Appliance-facing: registration with a provision code, token authentication, check-in. */
export function createRegistrationService(deps: {
  db: Kysely<DB>;
  store: AppliancesStore;
  audit: AuditService;
  keyring: Keyring;
  orderSigningKey: OrderSigningKey;
  now: () => Date;
}) {
  const { db, store, audit, keyring, now } = deps;
  const refuse = async (actor: ActorContext, reason: string, error: AppError): Promise<never> => {
    await audit.recordEvent(actor, { action: 'appliance.register_failed', outcome: 'failure', details: { reason } });
    throw error;
  };

  return {
    async register(actor: ActorContext, input: ApplianceRegisterRequest): Promise<ApplianceRegisterResponse> {
      const at = now();
      if (Math.abs(Date.parse(input.signedAt) - at.getTime()) > MAX_PROOF_SKEW_MS) {
        await refuse(
          actor,
          'clock_skew',
          new AppError('VALIDATION_FAILED', 'signedAt is more than 10 minutes from server time', {
            details: {
              issues: [{ path: ['signedAt'], message: 'too far from server time', code: 'clock_skew' }],
              serverTime: at.toISOString(),
            },
          }),
        );
      }
      if (!verifyProof(input)) {
        await refuse(
          actor,
          'bad_proof',
          new AppError('UNAUTHENTICATED', 'The signature does not prove possession of the public key'),
        );
      }
      const token = newToken();
      const outcome = await db
        .transaction()
        .execute(async (trx) => {
          const code = await store.provisionCodeByHashForUpdate(trx, keyring.hashToken(input.code));
          if (!code || toProvisionCode(code, at).state !== 'pending') return null;
          const appliance = await store.insertAppliance(trx, {
            id: newId(),
            site_id: code.site_id,
            public_key: input.publicKey,
            token_hash: keyring.hashToken(token),
            hostname: input.hostname,
            version: input.version,
            status: 'active',
            provision_code_id: code.id,
            registered_at: at,
          });
          await store.markProvisionCodeUsed(trx, code.id, at);
          await audit.record(
            trx,
            { ...actor, actorType: 'appliance', actorId: appliance.id, actorLabel: `appliance:${appliance.id}` },
            {
              action: 'appliance.register',
              targetType: 'appliance',
              targetId: appliance.id,
              details: {
                siteId: code.site_id,
                provisionCodeId: code.id,
                hostname: input.hostname,
                version: input.version,
              },
            },
          );
          return appliance;
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) return 'duplicate_key' as const;
          throw error;
        });
      if (outcome === null)
        return refuse(
          actor,
          'bad_code',
          new AppError('NOT_FOUND', 'This provision code is invalid, used, revoked or expired'),
        );
      if (outcome === 'duplicate_key')
        return refuse(actor, 'key_in_use', new AppError('CONFLICT', 'This identity key is already registered'));
      return {
        schemaVersion: 1,
        applianceId: outcome.id,
        siteId: outcome.site_id,
        token,
        orderSigningPublicKey: deps.orderSigningKey.publicKeyRaw,
      };
    },

    /** Bearer token → appliance, or null when unknown or revoked. The first use of a rotated token retires the old one. */
    async resolveToken(token: string): Promise<AuthenticatedAppliance | null> {
      const hash = keyring.hashToken(token);
      const row = await store.applianceByTokenHash(db, hash);
      if (!row || row.status === 'revoked') return null;
      const usingPreviousToken = row.token_hash !== hash;
      if (!usingPreviousToken && row.previous_token_hash !== null) await store.forgetPreviousToken(db, row.id);
      return { applianceId: row.id, siteId: row.site_id, usingPreviousToken };
    },

    /**
     * Issues a new token in answer to a rotate_token order (the caller checked the order is open),
     * after the appliance proves again that it holds its identity key. Until the new token is first
     * used, the token the appliance held before keeps working.
     */
    async rotateToken(
      actor: ActorContext,
      appliance: AuthenticatedAppliance,
      input: TokenRotationRequest,
    ): Promise<TokenRotationResponse> {
      const at = now();
      if (Math.abs(Date.parse(input.signedAt) - at.getTime()) > MAX_PROOF_SKEW_MS)
        throw new AppError('VALIDATION_FAILED', 'signedAt is more than 10 minutes from server time', {
          details: { serverTime: at.toISOString() },
        });
      const row = await store.applianceById(db, appliance.applianceId);
      if (!row) throw new AppError('UNAUTHENTICATED', 'Unknown appliance');
      const proof = canonicalJson({
        purpose: TOKEN_ROTATION_PURPOSE,
        applianceId: appliance.applianceId,
        orderId: input.orderId,
        signedAt: input.signedAt,
      });
      if (!verifySignedBy(row.public_key, proof, input.signature)) {
        await audit.recordEvent(actor, {
          action: 'appliance.token_rotation_refused',
          outcome: 'failure',
          targetType: 'appliance',
          targetId: appliance.applianceId,
          details: { orderId: input.orderId, reason: 'bad_proof' },
        });
        throw new AppError('UNAUTHENTICATED', 'The signature does not prove possession of the identity key');
      }
      const token = newToken();
      await db.transaction().execute(async (trx) => {
        const current = await store.applianceById(trx, appliance.applianceId);
        if (!current) throw new AppError('UNAUTHENTICATED', 'Unknown appliance');
        // The token the appliance holds stays valid: the previous one if it never switched, else the current one.
        const kept = appliance.usingPreviousToken ? current.previous_token_hash : current.token_hash;
        await store.setTokens(trx, appliance.applianceId, keyring.hashToken(token), kept);
        await audit.record(trx, actor, {
          action: 'appliance.token_rotated',
          targetType: 'appliance',
          targetId: appliance.applianceId,
          details: { orderId: input.orderId },
        });
      });
      return { schemaVersion: 1, token };
    },

    /** Record health and clock offset; the gateway adds the open orders to the reply. */
    async checkin(
      appliance: AuthenticatedAppliance,
      input: ApplianceCheckinRequest,
    ): Promise<{ serverTime: string; nextCheckinSeconds: number }> {
      const at = now();
      const { schemaVersion: _version, ...health } = input;
      // Clamped to the column's range: a clock years off still reads as 'very far off'.
      const offsetMs = Math.max(-2_147_483_647, Math.min(2_147_483_647, at.getTime() - Date.parse(input.sentAt)));
      await store.recordCheckin(db, appliance.applianceId, at, offsetMs, health);
      return { serverTime: at.toISOString(), nextCheckinSeconds: CHECKIN_INTERVAL_SECONDS };
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
