import { randomBytes } from 'node:crypto';
import type { ApiKey, ApiKeyCreateRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuthenticatedApiKey } from '../../platform/http';
import { newId, newToken } from '../../platform/ids';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { type ApiKeysStore, toApiKey } from './api-keys.store';

const PREFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/** last_used_at is written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

function newPrefix(): string {
  return [...randomBytes(8)].map((b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('');
}

/**
 * Partner API keys: many per partner, named, read or read-write, shown once, stored as a keyed
 * hash (the server secret), prefix visible, last use recorded, expiring, revocable. A read-write
 * key acts as a technician of its partner, a read key as a read-only partner member.
 */
export function createApiKeysService(deps: {
  db: Kysely<DB>;
  store: ApiKeysStore;
  audit: AuditService;
  authorize: Authorizer;
  keyring: Keyring;
  now: () => Date;
}) {
  const { db, store, audit, authorize, keyring, now } = deps;

  return {
    async create(actor: ActorContext, partnerId: string, input: ApiKeyCreateRequest) {
      await authorize.partner(actor, partnerId);
      const prefix = newPrefix();
      const key = `osk_${prefix}_${newToken(32)}`;
      const at = now();
      return db.transaction().execute(async (trx) => {
        const row = await store.insert(trx, {
          id: newId(),
          partner_id: partnerId,
          name: input.name,
          prefix,
          key_hash: keyring.hashToken(key),
          scope: input.scope,
          created_by: actor.actorType === 'user' ? actor.actorId : null,
          created_at: at,
          expires_at: new Date(at.getTime() + input.expiresInDays * 86_400_000),
        });
        await audit.record(trx, actor, {
          action: 'api_key.create',
          targetType: 'api_key',
          targetId: row.id,
          details: { partnerId, name: input.name, scope: input.scope, prefix, expiresAt: row.expires_at.toISOString() },
        });
        return { apiKey: toApiKey(row), key };
      });
    },

    async list(actor: ActorContext, partnerId: string): Promise<{ items: ApiKey[] }> {
      await authorize.partner(actor, partnerId);
      return { items: (await store.listForPartner(db, partnerId)).map(toApiKey) };
    },

    async revoke(actor: ActorContext, partnerId: string, keyId: string): Promise<ApiKey> {
      await authorize.partner(actor, partnerId);
      return db.transaction().execute(async (trx) => {
        const existing = await store.get(trx, partnerId, keyId);
        if (!existing) throw notFound('API key');
        const row = await store.revoke(trx, keyId, actor.actorType === 'user' ? actor.actorId : null, now());
        if (!row) throw new AppError('CONFLICT', 'The API key is already revoked');
        await audit.record(trx, actor, {
          action: 'api_key.revoke',
          targetType: 'api_key',
          targetId: keyId,
          details: { partnerId, prefix: row.prefix },
        });
        return toApiKey(row);
      });
    },

    /** Authenticates a presented key; revoked and expired keys are refused with their own codes. */
    async resolve(token: string): Promise<AuthenticatedApiKey | null> {
      const row = await store.byHash(db, keyring.hashToken(token));
      if (!row) return null;
      const at = now();
      if (row.revoked_at) throw new AppError('API_KEY_REVOKED', 'This API key was revoked');
      if (row.expires_at <= at) throw new AppError('API_KEY_EXPIRED', 'This API key has expired');
      if (row.partner_status !== 'active') return null;
      if (!row.last_used_at || at.getTime() - row.last_used_at.getTime() >= TOUCH_EVERY_MS)
        await store.touch(db, row.id, at);
      return {
        apiKeyId: row.id,
        name: row.name,
        principal: {
          kind: 'partner',
          role: row.scope === 'read_write' ? 'technician' : 'partner_readonly',
          partnerId: row.partner_id,
        },
      };
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
