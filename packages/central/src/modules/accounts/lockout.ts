import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { AuditService } from '../audit';
import type { AccountsStore, UserRow } from './accounts.store';

const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60_000;

/**
 * Counts failed proofs of identity (password, TOTP code, current password) per account; the
 * fifth in a row locks the account for 15 minutes. The count starts again once a lock expires.
 */
export function createFailureCounter(deps: {
  db: Kysely<DB>;
  store: AccountsStore;
  audit: AuditService;
  now: () => Date;
}) {
  const { db, store, audit, now } = deps;
  /** Count a failure; the fifth in a row locks the account for 15 minutes. Audited with the change. */
  return async function recordFailure(actor: ActorContext, user: UserRow, reason: string): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const current = await store.userForUpdate(trx, user.id);
      if (!current) return;
      const at = now();
      const lockExpired = current.locked_until !== null && current.locked_until <= at;
      const failures = (lockExpired ? 0 : current.failed_login_count) + 1;
      const locks = failures >= MAX_FAILED_LOGINS;
      await store.updateUser(trx, user.id, {
        failed_login_count: locks ? 0 : failures,
        locked_until: locks ? new Date(at.getTime() + LOCKOUT_MS) : lockExpired ? null : current.locked_until,
      });
      const who = { ...actor, actorLabel: user.email };
      await audit.record(trx, who, {
        action: 'auth.login_failed',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason, failures },
      });
      if (locks) {
        await audit.record(trx, who, {
          action: 'auth.lockout',
          outcome: 'denied',
          targetType: 'user',
          targetId: user.id,
          details: { lockedForMinutes: LOCKOUT_MS / 60_000 },
        });
      }
    });
  };
}

export type FailureCounter = ReturnType<typeof createFailureCounter>;
