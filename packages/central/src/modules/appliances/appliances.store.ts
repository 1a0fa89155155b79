import type { ProvisionCode, ProvisionCodeListQuery } from '@osiris/protocol';
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { ProvisionCodesTable } from '../../platform/db-schema';

type ProvisionCodeRow = Selectable<ProvisionCodesTable>;

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
