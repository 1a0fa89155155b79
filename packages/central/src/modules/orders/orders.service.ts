import {
  type Order,
  type OrderCreateRequest,
  type OrderRecord,
  type InstallReleasePayload,
  type OrderResultRequest,
  type RunRunbookPayload,
  type SetAgentTierPayload,
  type SetExceptionsPayload,
  type SignedOrder,
  signOrder,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext, Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import { newId } from '../../platform/ids';
import type { OrderSigningKey } from '../../platform/order-signing-key';
import type { AppliancesService } from '../appliances';
import type { Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import { type OrdersStore, toOrderRecord } from './orders.store';

/** What may be signed: what the API accepts, plus the orders only central's own services issue. */
type OrderInput =
  | OrderCreateRequest
  | { type: 'run_runbook'; payload: RunRunbookPayload; expiresInMinutes: number }
  | { type: 'set_exceptions'; payload: SetExceptionsPayload; expiresInMinutes: number }
  | { type: 'set_agent_tier'; payload: SetAgentTierPayload; expiresInMinutes: number }
  | { type: 'install_release'; payload: InstallReleasePayload; expiresInMinutes: number };

export function createOrdersService(deps: {
  db: Kysely<DB>;
  store: OrdersStore;
  audit: AuditService;
  appliances: Pick<AppliancesService, 'getAppliance'>;
  signingKey: OrderSigningKey;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, appliances, signingKey, authorize, now } = deps;

  async function sign(applianceId: string, input: OrderInput): Promise<SignedOrder> {
    const at = now();
    const order = {
      schemaVersion: 1,
      id: newId(),
      applianceId,
      issuedAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + input.expiresInMinutes * 60_000).toISOString(),
      type: input.type,
      payload: input.payload,
    } as Order;
    return signOrder(order, signingKey.privateKeyPkcs8);
  }

  async function insertSigned(trx: Executor, actor: ActorContext, signed: SignedOrder): Promise<OrderRecord> {
    const { order } = signed;
    const row = await store.insert(trx, {
      id: order.id,
      appliance_id: order.applianceId,
      type: order.type,
      state: 'pending',
      created_by: actor.actorId,
      issued_at: order.issuedAt,
      expires_at: order.expiresAt,
      signed: JSON.stringify(signed),
    });
    await audit.record(trx, actor, {
      action: 'order.issue',
      targetType: 'order',
      targetId: order.id,
      details: { applianceId: order.applianceId, type: order.type, expiresAt: order.expiresAt },
    });
    return toOrderRecord(row);
  }

  return {
    /** Sign an order with central's key and queue it for the appliance's next check-in. */
    async issue(actor: ActorContext, applianceId: string, input: OrderCreateRequest): Promise<OrderRecord> {
      await authorize.appliance(actor, applianceId);
      await appliances.getAppliance(applianceId);
      const signed = await sign(applianceId, input);
      return db.transaction().execute((trx) => insertSigned(trx, actor, signed));
    },

    /**
     * For a caller's own transaction: signs the order (also types only central issues, such as
     * `run_runbook`) and stores it with `trx`, so the order exists only if the caller commits.
     */
    async issueWithin(
      trx: Executor,
      actor: ActorContext,
      applianceId: string,
      input: OrderInput,
    ): Promise<OrderRecord> {
      return insertSigned(trx, actor, await sign(applianceId, input));
    },

    async list(actor: ActorContext, applianceId: string): Promise<{ items: OrderRecord[] }> {
      await authorize.appliance(actor, applianceId);
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
