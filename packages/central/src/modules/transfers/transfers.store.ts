import type { PracticeTransfer, PracticeTransferListQuery } from '@osiris/protocol';
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { PracticeTransfersTable } from '../../platform/db-schema';

type TransferRow = Selectable<PracticeTransfersTable>;

export function toTransfer(row: TransferRow): PracticeTransfer {
  return {
    id: row.id,
    practiceId: row.practice_id,
    fromPartnerId: row.from_partner_id,
    toPartnerId: row.to_partner_id,
    reason: row.reason,
    state: row.state as PracticeTransfer['state'],
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decisionNote: row.decision_note,
  };
}

/** SQL for practice_transfers (a cancellation is recorded like a decision), plus the two statements about practices and users a decision needs. */
export function createTransfersStore() {
  return {
    insert: (db: Executor, row: Insertable<PracticeTransfersTable>) =>
      db.insertInto('practice_transfers').values(row).returningAll().executeTakeFirstOrThrow(),

    getForUpdate: (db: Executor, id: string) =>
      db.selectFrom('practice_transfers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    pendingFor: (db: Executor, practiceId: string) =>
      db
        .selectFrom('practice_transfers')
        .select('id')
        .where('practice_id', '=', practiceId)
        .where('state', '=', 'pending')
        .executeTakeFirst(),

    listForPractice: (db: Executor, practiceId: string) =>
      db
        .selectFrom('practice_transfers')
        .selectAll()
        .where('practice_id', '=', practiceId)
        .orderBy('id', 'desc')
        .limit(200)
        .execute(),

    list(db: Executor, query: PracticeTransferListQuery, afterId: string | undefined): Promise<TransferRow[]> {
      let q = db
        .selectFrom('practice_transfers')
        .selectAll()
        .orderBy('id')
        .limit(query.limit + 1);
      if (afterId) q = q.where('id', '>', afterId);
      if (query.state) q = q.where('state', '=', query.state);
      return q.execute();
    },

    decide: (
      db: Executor,
      id: string,
      decision: {
        state: 'approved' | 'rejected' | 'cancelled';
        decided_by: string | null;
        decided_at: Date;
        decision_note: string | null;
      },
    ) =>
      db
        .updateTable('practice_transfers')
        .set(decision)
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** The practice, locked until the transaction ends, so no decision races a request. */
    lockPractice: (db: Executor, practiceId: string) =>
      db
        .selectFrom('practices')
        .select(['id', 'name', 'partner_id'])
        .where('id', '=', practiceId)
        .forUpdate()
        .executeTakeFirst(),

    /**
     * The one write to practices outside the practices module: an approved transfer must move the
     * practice in the same transaction that marks the request approved (and audits it), or a
     * crash between the two would leave them disagreeing.
     */
    async movePractice(db: Executor, practiceId: string, toPartnerId: string, at: Date): Promise<void> {
      await db
        .updateTable('practices')
        .set({ partner_id: toPartnerId, updated_at: at })
        .where('id', '=', practiceId)
        .execute();
    },

    /** Where to tell the practice about a decision: its owner's address (a read of the accounts table). */
    practiceOwnerEmail: async (db: Executor, practiceId: string): Promise<string | null> => {
      const row = await db
        .selectFrom('users')
        .select('email')
        .where('practice_id', '=', practiceId)
        .where('role', '=', 'practice_owner')
        .where('status', '=', 'active')
        .executeTakeFirst();
      return row?.email ?? null;
    },
  };
}

export type TransfersStore = ReturnType<typeof createTransfersStore>;
