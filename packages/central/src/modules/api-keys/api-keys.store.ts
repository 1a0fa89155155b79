import type { ApiKey } from '@osiris/protocol';
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { ApiKeysTable } from '../../platform/db-schema';

type ApiKeyRow = Selectable<ApiKeysTable>;

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    partnerId: row.partner_id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope as ApiKey['scope'],
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** SQL for api_keys; nothing else. */
export function createApiKeysStore() {
  return {
    insert: (db: Executor, row: Insertable<ApiKeysTable>) =>
      db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow(),

    listForPartner: (db: Executor, partnerId: string) =>
      db
        .selectFrom('api_keys')
        .selectAll()
        .where('partner_id', '=', partnerId)
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute(),

    get: (db: Executor, partnerId: string, id: string) =>
      db.selectFrom('api_keys').selectAll().where('partner_id', '=', partnerId).where('id', '=', id).executeTakeFirst(),

    /** The key with this hash, and whether its partner is active. */
    byHash: (db: Executor, keyHash: string) =>
      db
        .selectFrom('api_keys')
        .innerJoin('partners', 'partners.id', 'api_keys.partner_id')
        .selectAll('api_keys')
        .select('partners.status as partner_status')
        .where('api_keys.key_hash', '=', keyHash)
        .executeTakeFirst(),

    revoke: (db: Executor, id: string, by: string | null, at: Date) =>
      db
        .updateTable('api_keys')
        .set({ revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),

    touch: (db: Executor, id: string, at: Date) =>
      db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute(),
  };
}

export type ApiKeysStore = ReturnType<typeof createApiKeysStore>;
