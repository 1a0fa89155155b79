import {
  type Order,
  type OrderCreateRequest,
  type OrderRecord,
  type OrderResultRequest,
  type SignedOrder,
  signOrder,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import { newId } from '../../platform/ids';
import type { OrderSigningKey } from '../../platform/order-signing-key';
import type { AppliancesService } from '../appliances';
import type { AuditService } from '../audit';
import { type OrdersStore, toOrderRecord } from './orders.store';

export function createOrdersService(deps: {
  db: Kysely<DB>;
  store: OrdersStore;
  audit: AuditService;
  appliances: Pick<AppliancesService, 'getAppliance'>;
  signingKey: OrderSigningKey;
  now: () => Date;
}) {
  const { db, store, audit, appliances, signingKey, now } = deps;

  return {
    /** Sign an order with central's key and queue it for the appliance's next check-in. */
    async issue(actor: ActorContext, applianceId: string, input: OrderCreateRequest): Promise<OrderRecord> {
      await appliances.getAppliance(applianceId);
      const at = now();
      const expiresAt = new Date(at.getTime() + input.expiresInMinutes * 60_000);
      const order = {
        schemaVersion: 1,
        id: newId(),
        applianceId,
        issuedAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
        type: input.type,
        payload: input.payload,
      } as Order;
      const signed = await signOrder(order, signingKey.privateKeyPkcs8);
      return db.transaction().execute(async (trx) => {
        const row = await store.insert(trx, {
          id: order.id,
          appliance_id: applianceId,
          type: order.type,
          state: 'pending',
          created_by: actor.actorId,
          issued_at: at,
          expires_at: expiresAt,
          signed: JSON.stringify(signed),
        });
        await audit.record(trx, actor, {
          action: 'order.issue',
          targetType: 'order',
          targetId: order.id,
          details: { applianceId, type: order.type, expiresAt: order.expiresAt },
        });
        return toOrderRecord(row);
      });
    },

    async list(applianceId: string): Promise<{ items: OrderRecord[] }> {
      await appliances.getAppliance(applianceId);
      return { items: (await store.listForAppliance(db, applianceId, 100)).map(toOrderRecord) };
    },

    /** For the check-in reply: every open order, marked delivered. Unanswered ones are sent again. */
    async deliver(appliance: AuthenticatedAppliance): Promise<SignedOrder[]> {
      return db.transaction().execute(async (trx) => {
        const rows = await store.openForDelivery(trx, appliance.applianceId, now());
        if (rows.length > 0)
          await store.markDelivered(
            trx,
            rows.map((r) => r.id),
            now(),
          );
        return rows.map((r) => r.signed as SignedOrder);
      });
    },

    /** Refuses unless `orderId` is an open (unanswered, unexpired) order of this type for this appliance. */
    async requireOpen(appliance: AuthenticatedAppliance, orderId: string, type: string): Promise<void> {
      const row = await store.forUpdate(db, orderId);
      if (!row || row.appliance_id !== appliance.applianceId || row.type !== type) throw notFound('Order');
      if (!['pending', 'delivered'].includes(row.state) || row.expires_at <= now())
        throw new AppError('CONFLICT', `The order is no longer open (${row.state})`);
    },

    /** The appliance's answer. Answering twice the same way is fine; changing the answer is not. */
    async recordResult(
      actor: ActorContext,
      appliance: AuthenticatedAppliance,
      orderId: string,
      input: OrderResultRequest,
    ): Promise<OrderRecord> {
      return db.transaction().execute(async (trx) => {
        const row = await store.forUpdate(trx, orderId);
        if (!row || row.appliance_id !== appliance.applianceId) throw notFound('Order');
        if (['succeeded', 'failed', 'refused'].includes(row.state)) {
          if (row.state === input.outcome) return toOrderRecord(row);
          throw new AppError('CONFLICT', `The order was already answered: ${row.state}`);
        }
        const updated = await store.update(trx, orderId, {
          state: input.outcome,
          completed_at: now(),
          result_code: input.code ?? null,
          result_message: input.message ?? null,
        });
        await audit.record(trx, actor, {
          action: input.outcome === 'refused' ? 'security.order_refused' : 'order.result',
          outcome: input.outcome === 'succeeded' ? 'success' : input.outcome === 'refused' ? 'denied' : 'failure',
          targetType: 'order',
          targetId: orderId,
          details: { type: row.type, outcome: input.outcome, code: input.code ?? null },
        });
        return toOrderRecord(updated);
      });
    },
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
