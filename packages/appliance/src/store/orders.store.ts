import type { Database } from 'better-sqlite3';

type OrderOutcome = 'applied' | 'refused' | 'failed';

export interface SeenOrder {
  orderId: string;
  type: string;
  outcome: OrderOutcome;
  code: string | null;
  detail: string;
  receivedAt: string;
}

/**
 * Every order id this appliance has handled, so none is applied twice (replays are refused), and
 * the outcome waiting to be reported to central until central acknowledges it.
 */
export function createOrdersStore(db: Database) {
  const selectOne = db.prepare('SELECT 1 FROM orders_seen WHERE order_id = ?');
  const insert = db.prepare(`
    INSERT INTO orders_seen (order_id, type, outcome, code, detail, received_at)
    VALUES (@orderId, @type, @outcome, @code, @detail, @receivedAt)
    ON CONFLICT (order_id) DO NOTHING`);
  const selectUnreported = db.prepare(
    'SELECT * FROM orders_seen WHERE reported_at IS NULL ORDER BY received_at, order_id LIMIT ?',
  );
  const markReported = db.prepare('UPDATE orders_seen SET reported_at = ? WHERE order_id = ?');
  return {
    has(orderId: string): boolean {
      return selectOne.get(orderId) !== undefined;
    },
    /** Records the outcome once; a second record for the same id is ignored (first outcome wins). */
    record(order: SeenOrder): boolean {
      return insert.run(order).changes === 1;
    },
    unreported(limit = 50): SeenOrder[] {
      return (selectUnreported.all(limit) as Record<string, string | null>[]).map((r) => ({
        orderId: String(r.order_id),
        type: String(r.type),
        outcome: r.outcome as OrderOutcome,
        code: r.code ?? null,
        detail: String(r.detail),
        receivedAt: String(r.received_at),
      }));
    },
    markReported(orderId: string): void {
      markReported.run(new Date().toISOString(), orderId);
    },
  };
}
