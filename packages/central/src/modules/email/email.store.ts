import { type Insertable, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/context';
import type { EmailOutboxTable } from '../../platform/db-schema';

type EmailRow = Selectable<EmailOutboxTable>;

/** SQL for the email_outbox table; nothing else. */
export function createEmailStore() {
  return {
    async insert(db: Executor, row: Insertable<EmailOutboxTable>): Promise<void> {
      await db.insertInto('email_outbox').values(row).execute();
    },

    /**
     * Claims the oldest due queued mail by pushing its next_attempt_at to `leaseUntil`, in one
     * statement. SKIP LOCKED lets replicas claim different mails at the same time; a claimed mail
     * is not due again until the lease ends, so nobody else sends it meanwhile.
     */
    async claimDue(db: Executor, at: Date, leaseUntil: Date): Promise<EmailRow | undefined> {
      const result = await sql<EmailRow>`
        UPDATE email_outbox SET next_attempt_at = ${leaseUntil}
        WHERE id = (
          SELECT id FROM email_outbox
          WHERE status = 'queued' AND next_attempt_at <= ${at}
          ORDER BY next_attempt_at, created_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED
        )
        RETURNING *`.execute(db);
      return result.rows[0];
    },

    /** Sent: the bodies (which may hold single-use links) are dropped. */
    async markSent(db: Executor, id: string, at: Date): Promise<void> {
      await db
        .updateTable('email_outbox')
        .set({ status: 'sent', sent_at: at, attempts: sql`attempts + 1`, text_body: null, html_body: null })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    },

    async markRetry(db: Executor, id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
      await db
        .updateTable('email_outbox')
        .set({ attempts, next_attempt_at: nextAttemptAt, last_error: error })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    },

    /** Given up: the bodies are dropped as for a sent mail. */
    async markFailed(db: Executor, id: string, attempts: number, error: string): Promise<void> {
      await db
        .updateTable('email_outbox')
        .set({ status: 'failed', attempts, last_error: error, text_body: null, html_body: null })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    },

    async countDue(db: Executor, at: Date): Promise<number> {
      const row = await db
        .selectFrom('email_outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', '=', 'queued')
        .where('next_attempt_at', '<=', at)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type EmailStore = ReturnType<typeof createEmailStore>;
