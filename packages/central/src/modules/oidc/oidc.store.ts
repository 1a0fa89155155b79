import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { OidcLoginStatesTable } from '../../platform/db-schema';

export type OidcLoginStateRow = Selectable<OidcLoginStatesTable>;

/** SQL for oidc_login_states; nothing else. */
export function createOidcStore() {
  return {
    insert: (db: Executor, row: Insertable<OidcLoginStatesTable>) =>
      db.insertInto('oidc_login_states').values(row).execute(),

    /** The row, locked until the transaction ends, so two callbacks racing are serialised. */
    forUpdate: (db: Executor, stateHash: string) =>
      db.selectFrom('oidc_login_states').selectAll().where('state_hash', '=', stateHash).forUpdate().executeTakeFirst(),

    /** Marks the row used and forgets its PKCE verifier (it is needed for exactly one token request). */
    markUsed: (db: Executor, stateHash: string, at: Date) =>
      db
        .updateTable('oidc_login_states')
        .set({ used_at: at, code_verifier: null })
        .where('state_hash', '=', stateHash)
        .where('used_at', 'is', null)
        .executeTakeFirst(),

    /** Rows that expired before `before`; returns how many were deleted. */
    async deleteExpired(db: Executor, before: Date): Promise<number> {
      const result = await db.deleteFrom('oidc_login_states').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type OidcStore = ReturnType<typeof createOidcStore>;
