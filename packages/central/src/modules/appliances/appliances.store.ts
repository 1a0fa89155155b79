import type { Appliance, ApplianceListQuery, ProvisionCode, ProvisionCodeListQuery } from '@osiris/protocol';
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { AppliancesTable, ProvisionCodesTable } from '../../platform/db-schema';

type ProvisionCodeRow = Selectable<ProvisionCodesTable>;
type ApplianceRow = Selectable<AppliancesTable>;

export function toAppliance(row: ApplianceRow): Appliance {
  return {
    id: row.id,
    siteId: row.site_id,
    hostname: row.hostname,
    version: row.version,
    publicKey: row.public_key,
    status: row.status as Appliance['status'],
    registeredAt: row.registered_at.toISOString(),
    lastCheckinAt: row.last_checkin_at?.toISOString() ?? null,
    clockOffsetMs: row.clock_offset_ms,
    lastHealth: (row.last_health as Appliance['lastHealth']) ?? null,
  };
}

export function toProvisionCode(row: ProvisionCodeRow, now: Date): ProvisionCode {
  const state = row.used_at ? 'used' : row.revoked_at ? 'revoked' : row.expires_at <= now ? 'expired' : 'pending';
  return {
    id: row.id,
    siteId: row.site_id,
    state,
    createdBy: row.created_by,
    expiresAt: row.expires_at.toISOString(),
    usedAt: row.used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/** SQL for the tables of appliances and their registration; nothing else. */
export function createAppliancesStore() {
  return {
    insertProvisionCode: (db: Executor, row: Insertable<ProvisionCodesTable>) =>
      db.insertInto('provision_codes').values(row).returningAll().executeTakeFirstOrThrow(),

    provisionCodeForUpdate: (db: Executor, id: string) =>
      db.selectFrom('provision_codes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    revokeProvisionCode: (db: Executor, id: string, at: Date) =>
      db
        .updateTable('provision_codes')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),

    provisionCodeByHashForUpdate: (db: Executor, codeHash: string) =>
      db.selectFrom('provision_codes').selectAll().where('code_hash', '=', codeHash).forUpdate().executeTakeFirst(),

    markProvisionCodeUsed: (db: Executor, id: string, at: Date) =>
      db.updateTable('provision_codes').set({ used_at: at }).where('id', '=', id).execute(),

    insertAppliance: (db: Executor, row: Insertable<AppliancesTable>) =>
      db.insertInto('appliances').values(row).returningAll().executeTakeFirstOrThrow(),

    applianceByTokenHash: (db: Executor, tokenHash: string) =>
      db
        .selectFrom('appliances')
        .select(['id', 'site_id', 'status', 'token_hash', 'previous_token_hash'])
        .where((eb) => eb.or([eb('token_hash', '=', tokenHash), eb('previous_token_hash', '=', tokenHash)]))
        .executeTakeFirst(),

    /** The new token is in use: the one before it stops working. */
    forgetPreviousToken: (db: Executor, id: string) =>
      db.updateTable('appliances').set({ previous_token_hash: null }).where('id', '=', id).execute(),

    setTokens: (db: Executor, id: string, tokenHash: string, previousTokenHash: string | null) =>
      db
        .updateTable('appliances')
        .set({ token_hash: tokenHash, previous_token_hash: previousTokenHash })
        .where('id', '=', id)
        .execute(),

    applianceById: (db: Executor, id: string) =>
      db.selectFrom('appliances').selectAll().where('id', '=', id).executeTakeFirst(),

    setApplianceStatus: (db: Executor, id: string, status: 'active' | 'flagged' | 'revoked') =>
      db.updateTable('appliances').set({ status }).where('id', '=', id).execute(),

    recordCheckin: (db: Executor, id: string, at: Date, clockOffsetMs: number, health: Record<string, unknown>) =>
      db
        .updateTable('appliances')
        .set({
          last_checkin_at: at,
          clock_offset_ms: clockOffsetMs,
          last_health: JSON.stringify(health),
          // The running version, as the appliance reports it (rollouts confirm installs by it).
          ...(typeof health.version === 'string' ? { version: health.version } : {}),
        })
        .where('id', '=', id)
        .execute(),

    listAppliances(db: Executor, siteId: string, query: ApplianceListQuery, afterId: string | undefined) {
      let q = db
        .selectFrom('appliances')
        .selectAll()
        .where('site_id', '=', siteId)
        .orderBy('id')
        .limit(query.limit + 1);
      if (afterId) q = q.where('id', '>', afterId);
      if (query.status) q = q.where('status', '=', query.status);
      return q.execute();
    },

    listProvisionCodes(
      db: Executor,
      siteId: string,
      query: ProvisionCodeListQuery,
      afterId: string | undefined,
      now: Date,
    ) {
      let q = db
        .selectFrom('provision_codes')
        .selectAll()
        .where('site_id', '=', siteId)
        .orderBy('id')
        .limit(query.limit + 1);
      if (afterId) q = q.where('id', '>', afterId);
      switch (query.state) {
        case 'used':
          q = q.where('used_at', 'is not', null);
          break;
        case 'revoked':
          q = q.where('used_at', 'is', null).where('revoked_at', 'is not', null);
          break;
        case 'expired':
          q = q.where('used_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '<=', now);
          break;
        case 'pending':
          q = q.where('used_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now);
          break;
      }
      return q.execute();
    },
  };
}

export type AppliancesStore = ReturnType<typeof createAppliancesStore>;
