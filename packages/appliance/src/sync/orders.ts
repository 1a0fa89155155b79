import { base64UrlToBytes, type Order, OrderRecord, verifyOrder } from '@osiris/protocol';
import type { Logger } from '../log';
import type { Store } from '../store';
import { CentralError, type FetchImpl, postJson } from './central-client';

/** What applying an order came to; a thrown error counts as `failed` with its message. */
export type ApplyOutcome = { ok: true; detail: string } | { ok: false; code: string; detail: string };

const readId = (signed: unknown): string | null => {
  const id = (signed as { order?: { id?: unknown } } | null)?.order?.id;
  return typeof id === 'string' ? id : null;
};

/**
 * Orders from the check-in reply: each is verified (central's pinned key, addressee, expiry,
 * replay) before it is applied, and every outcome — applied, failed or refused — is stored, then
 * reported to central until central acknowledges it. An order id already handled is never
 * applied again: a redelivery (central had not heard the answer yet) only re-sends the answer.
 */
export function createOrderProcessor(deps: {
  store: Store;
  apply: (order: Order) => Promise<ApplyOutcome>;
  log: Logger;
  now?: () => Date;
  fetchImpl?: FetchImpl;
}) {
  const now = deps.now ?? (() => new Date());
  const { store, log } = deps;

  async function handleOne(signed: unknown): Promise<void> {
    const registration = store.registration.get();
    if (!registration) return;
    const id = readId(signed);
    if (id !== null && store.orders.has(id)) return;
    const verdict = await verifyOrder(signed, base64UrlToBytes(registration.orderSigningPublicKey), {
      applianceId: registration.applianceId,
      now: now(),
      alreadyApplied: (orderId) => store.orders.has(orderId),
    });
    const receivedAt = now().toISOString();
    if (!verdict.ok) {
      log.warn('refused an order', { orderId: verdict.orderId, code: verdict.code, reason: verdict.message });
      if (verdict.orderId)
        store.orders.record({
          orderId: verdict.orderId,
          type: String((signed as { order?: { type?: unknown } }).order?.type ?? 'unknown').slice(0, 64),
          outcome: 'refused',
          code: verdict.code,
          detail: verdict.message,
          receivedAt,
        });
      return;
    }
    const { order } = verdict;
    let outcome: ApplyOutcome;
    try {
      outcome = await deps.apply(order);
    } catch (error) {
      outcome = { ok: false, code: 'APPLY_FAILED', detail: (error as Error)?.message ?? String(error) };
    }
    store.orders.record({
      orderId: order.id,
      type: order.type,
      outcome: outcome.ok ? 'applied' : 'failed',
      code: outcome.ok ? null : outcome.code,
      detail: outcome.detail.slice(0, 1000),
      receivedAt,
    });
    if (outcome.ok) log.info('applied an order', { orderId: order.id, type: order.type, detail: outcome.detail });
    else
      log.warn('an order failed', { orderId: order.id, type: order.type, code: outcome.code, detail: outcome.detail });
  }

  return {
    /** Verifies and applies (or refuses) each order, one at a time, in the order central sent them. */
    async handle(orders: readonly unknown[]): Promise<void> {
      for (const signed of orders) await handleOne(signed);
    },
    /** Sends stored outcomes central has not acknowledged; stops at the first network failure. */
    async report(): Promise<number> {
      const registration = store.registration.get();
      if (!registration) return 0;
      let reported = 0;
      for (const seen of store.orders.unreported()) {
        const body = {
          schemaVersion: 1 as const,
          outcome: seen.outcome === 'applied' ? ('succeeded' as const) : seen.outcome,
          ...(seen.code ? { code: seen.code } : {}),
          message: seen.detail.slice(0, 1000),
        };
        try {
          await postJson(
            deps.fetchImpl ?? fetch,
            `${registration.centralUrl}/v1/appliance/orders/${encodeURIComponent(seen.orderId)}/result`,
            body,
            OrderRecord,
            { token: registration.token, describeStatus: () => null },
          );
        } catch (error) {
          // 404: not an order of ours (e.g. refused as addressed elsewhere); 409: already answered.
          // Neither will ever be accepted, so stop sending it.
          const status = (error as CentralError).status;
          if (!(error instanceof CentralError) || (status !== 404 && status !== 409)) throw error;
          log.warn('central did not take an order result', { orderId: seen.orderId, status });
        }
        store.orders.markReported(seen.orderId);
        reported += 1;
      }
      return reported;
    },
  };
}
