import type { OrderRecord, SignedOrder } from '@osiris/protocol';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { OrdersTable } from '../../platform/db-schema';

type OrderRow = Selectable<OrdersTable>;

export function toOrderRecord(row: OrderRow): OrderRecord {
  const completed = row.result_code !== null || row.result_message !== null;
  return {
    id: row.id,
    applianceId: row.appliance_id,
    type: row.type,
    state: row.state as OrderRecord['state'],
    createdBy: row.created_by,
    issuedAt: row.issued_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    result: completed ? { code: row.result_code, message: row.result_message } : null,
    signed: row.signed as SignedOrder,
  };
}

/** SQL for the orders table; nothing else. */
export function createOrdersStore() {
  return {
    insert: (db: Executor, row: Insertable<OrdersTable>) =>
      db.insertInto('orders').values(row).returningAll().executeTakeFirstOrThrow(),

    forUpdate: (db: Executor, id: string) =>
      db.selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    update: (db: Executor, id: string, set: Updateable<OrdersTable>) =>
      db.updateTable('orders').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    listForAppliance: (db: Executor, applianceId: string, limit: number) =>
      db
        .selectFrom('orders')
        .selectAll()
        .where('appliance_id', '=', applianceId)
        .orderBy('issued_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),

    /** Orders not yet answered, oldest first; those past their expiry are marked expired. */
    async openForDelivery(db: Executor, applianceId: string, now: Date): Promise<OrderRow[]> {
      await db
        .updateTable('orders')
        .set({ state: 'expired' })
        .where('appliance_id', '=', applianceId)
        .where('state', 'in', ['pending', 'delivered'])
        .where('expires_at', '<=', now)
        .execute();
      return db
        .selectFrom('orders')
        .selectAll()
        .where('appliance_id', '=', applianceId)
        .where('state', 'in', ['pending', 'delivered'])
        .orderBy('issued_at')
        .orderBy('id')
        .limit(100)
        .execute();
    },

    markDelivered: (db: Executor, ids: string[], now: Date) =>
      db
        .updateTable('orders')
        .set({ state: 'delivered', delivered_at: now })
        .where('id', 'in', ids)
        .where('state', '=', 'pending')
        .execute(),
  };
}

export type OrdersStore = ReturnType<typeof createOrdersStore>;
