import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { SignInLinksTable } from '../../platform/db-schema';

/** SQL for sign_in_links; nothing else. */
export function createSignInLinksStore() {
  return {
    insert: (db: Executor, row: Insertable<SignInLinksTable>) => db.insertInto('sign_in_links').values(row).execute(),

    /** The link with this hash, locked, so that two redemptions cannot both use it. */
    forUpdate: (db: Executor, tokenHash: string) =>
      db.selectFrom('sign_in_links').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst(),

    markUsed: (db: Executor, id: string, at: Date) =>
      db.updateTable('sign_in_links').set({ used_at: at }).where('id', '=', id).execute(),

    /** Links expired more than a day ago (used or not) are of no further use. */
    purge: async (db: Executor, before: Date) =>
      Number((await db.deleteFrom('sign_in_links').where('expires_at', '<', before).executeTakeFirst()).numDeletedRows),
  };
}

export type SignInLinksStore = ReturnType<typeof createSignInLinksStore>;
