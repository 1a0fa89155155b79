import type { NotificationDeliveryListQuery } from '@osiris/protocol';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { Tenant } from './notifications.store';
import type { NotificationDeliveriesTable, NotificationsExecutor as Executor } from './notifications.tables';

export type DeliveryRow = Selectable<NotificationDeliveriesTable>;

/** SQL for the notification_deliveries outbox; nothing else. */
export function createDeliveriesStore() {
  return {
    insert: (db: Executor, row: Insertable<NotificationDeliveriesTable>) =>
      db.insertInto('notification_deliveries').values(row).returningAll().executeTakeFirstOrThrow(),

    get: (db: Executor, id: string) =>
      db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst(),

    /** The delivery of the same dedupKey to this channel since `since`, if any. */
    recentDuplicate: (db: Executor, channelId: string, dedupKey: string, since: Date) =>
      db
        .selectFrom('notification_deliveries')
        .select('id')
        .where('channel_id', '=', channelId)
        .where('dedup_key', '=', dedupKey)
        .where('is_digest', '=', false)
        .where('created_at', '>', since)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst(),

    countSuppressed: async (db: Executor, id: string) => {
      await db
        .updateTable('notification_deliveries')
        .set({ suppressed_count: sql`suppressed_count + 1` })
        .where('id', '=', id)
        .execute();
    },

    /** Events (not digests) for this channel since `since`. */
    async countRecent(db: Executor, channelId: string, since: Date): Promise<number> {
      const row = await db
        .selectFrom('notification_deliveries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('channel_id', '=', channelId)
        .where('is_digest', '=', false)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The channel's digest still collecting (created within the window, not yet due). */
    openDigest: (db: Executor, channelId: string, since: Date) =>
      db
        .selectFrom('notification_deliveries')
        .select('id')
        .where('channel_id', '=', channelId)
        .where('is_digest', '=', true)
        .where('status', '=', 'queued')
        .where('attempts', '=', 0)
        .where('created_at', '>', since)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst(),

    /** The held events of a digest, oldest first. */
    heldOf: (db: Executor, digestId: string) =>
      db
        .selectFrom('notification_deliveries')
        .select(['id', 'title', 'priority', 'event_type', 'created_at'])
        .where('digest_id', '=', digestId)
        .where('status', '=', 'held')
        .orderBy('created_at')
        .orderBy('id')
        .execute(),

    markDigested: async (db: Executor, digestId: string, ids: string[], at: Date) => {
      if (ids.length === 0) return;
      await db
        .updateTable('notification_deliveries')
        .set({ status: 'digested', sent_at: at })
        .where('digest_id', '=', digestId)
        .where('id', 'in', ids)
        .execute();
    },

    /** Claims the oldest due delivery by pushing its next attempt to `leaseUntil` (SKIP LOCKED: replicas share). */
    async claimDue(db: Executor, at: Date, leaseUntil: Date): Promise<DeliveryRow | undefined> {
      const result = await sql<DeliveryRow>`
        UPDATE notification_deliveries SET next_attempt_at = ${leaseUntil}
        WHERE id = (
          SELECT id FROM notification_deliveries
          WHERE status = 'queued' AND next_attempt_at <= ${at}
          ORDER BY next_attempt_at, created_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED
        )
        RETURNING *`.execute(db);
      return result.rows[0];
    },

    finish: (
      db: Executor,
      id: string,
      set: {
        status: 'queued' | 'sent' | 'failed';
        attempts: number;
        nextAttemptAt: Date | null;
        statusCode: number | null;
        error: string | null;
        sentAt: Date | null;
      },
    ) =>
      db
        .updateTable('notification_deliveries')
        .set({
          status: set.status,
          attempts: set.attempts,
          next_attempt_at: set.nextAttemptAt,
          last_status_code: set.statusCode,
          last_error: set.error,
          sent_at: set.sentAt,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** Newest first, with the channel's name; scoped to one tenant. */
    list: (db: Executor, tenant: Tenant, query: NotificationDeliveryListQuery, beforeId: string | undefined) =>
      db
        .selectFrom('notification_deliveries as d')
        .innerJoin('notification_channels as c', 'c.id', 'd.channel_id')
        .selectAll('d')
        .select('c.name as channel_name')
        .where((eb) => (tenant === null ? eb('c.partner_id', 'is', null) : eb('c.partner_id', '=', tenant)))
        .$if(query.channelId !== undefined, (q) => q.where('d.channel_id', '=', query.channelId as string))
        .$if(query.status !== undefined, (q) => q.where('d.status', '=', query.status as string))
        .$if(beforeId !== undefined, (q) => q.where('d.id', '<', beforeId as string))
        .orderBy('d.id', 'desc')
        .limit(query.limit + 1)
        .execute(),
  };
}

export type DeliveriesStore = ReturnType<typeof createDeliveriesStore>;
