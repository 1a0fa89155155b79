import {
  type ApplianceEscalationRequest,
  ESCALATION_SLA_MINUTES,
  type Escalation,
  type EscalationApproveRequest,
  type EscalationProposal,
  type EscalationListQuery,
  type EscalationResolveRequest,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import { decodeCursor, toPage } from '../../platform/pagination';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { type EscalationsStore, toEscalation } from './escalations.store';

/** L3: escalations appliances send, and the people who acknowledge and resolve them. */
export function createEscalationsService(deps: {
  db: Kysely<DB>;
  store: EscalationsStore;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, orders, authorize, now } = deps;

  return {
    /**
     * Stores an escalation from an appliance. Idempotent: a resend of the same id answers with the
     * stored one; an id another appliance used is refused.
     */
    async receive(
      actor: ActorContext,
      appliance: AuthenticatedAppliance,
      input: ApplianceEscalationRequest,
    ): Promise<{ escalation: Escalation; isNew: boolean }> {
      const at = now();
      return db.transaction().execute(async (trx) => {
        const { row, isNew } = await store.insertOnce(trx, {
          id: input.id,
          appliance_id: appliance.applianceId,
          site_id: appliance.siteId,
          host_id: input.hostId,
          hostname: input.hostname,
          check_id: input.checkId,
          priority: input.priority,
          state: 'open',
          summary: input.summary,
          detected: JSON.stringify(input.detected),
          attempts: JSON.stringify(input.attempts),
          evidence_seqs: JSON.stringify(input.evidenceSeqs),
          proposal: input.proposal ? JSON.stringify(input.proposal) : null,
          created_at: input.createdAt,
          received_at: at,
          sla_due_at: new Date(at.getTime() + ESCALATION_SLA_MINUTES[input.priority] * 60_000),
        });
        if (row.appliance_id !== appliance.applianceId)
          throw new AppError('CONFLICT', 'This escalation id belongs to another appliance');
        if (isNew)
          await audit.record(trx, actor, {
            action: 'escalation.receive',
            targetType: 'escalation',
            targetId: row.id,
            details: {
              siteId: row.site_id,
              checkId: row.check_id,
              priority: row.priority,
              hostname: row.hostname,
              ...(input.proposal ? { proposedRunbookId: input.proposal.runbookId } : {}),
            },
          });
        return { escalation: toEscalation(row, at), isNew };
      });
    },

    async list(actor: ActorContext, query: EscalationListQuery) {
      const cursorId = decodeCursor(query.cursor);
      const cursorRow = cursorId ? await store.get(db, cursorId) : undefined;
      if (cursorId && !cursorRow)
        throw new AppError('VALIDATION_FAILED', 'Invalid query', {
          details: { issues: [{ path: ['cursor'], message: 'unknown cursor', code: 'custom' }] },
        });
      const after = cursorRow ? { receivedAt: cursorRow.received_at, id: cursorRow.id } : undefined;
      const rows = await store.list(db, query, after, actorReach(actor));
      const at = now();
      return toPage(rows, query.limit, (row) => toEscalation(row, at));
    },

    async get(actor: ActorContext, id: string): Promise<Escalation> {
      await authorize.escalation(actor, id);
      const row = await store.get(db, id);
      if (!row) throw notFound('Escalation');
      return toEscalation(row, now());
    },

    async acknowledge(actor: ActorContext, id: string): Promise<Escalation> {
      await authorize.escalation(actor, id);
      return db.transaction().execute(async (trx) => {
        const row = await store.forUpdate(trx, id);
        if (!row) throw notFound('Escalation');
        if (row.state !== 'open') throw new AppError('CONFLICT', `The escalation is already ${row.state}`);
        const at = now();
        const updated = await store.update(trx, id, {
          state: 'acknowledged',
          acknowledged_at: at,
          acknowledged_by: actor.actorId,
        });
        await audit.record(trx, actor, {
          action: 'escalation.acknowledge',
          targetType: 'escalation',
          targetId: id,
          details: { overdue: row.sla_due_at <= at },
        });
        return toEscalation(updated, at);
      });
    },

    /**
     * Approves the fix an L2 proposal asked for: a signed `run_runbook` order to the appliance
     * (valid for a day), stored in the same transaction; the escalation counts as acknowledged.
     */
    async approve(actor: ActorContext, id: string, input: EscalationApproveRequest): Promise<Escalation> {
      await authorize.escalation(actor, id);
      return db.transaction().execute(async (trx) => {
        const row = await store.forUpdate(trx, id);
        if (!row) throw notFound('Escalation');
        if (!row.proposal) throw new AppError('CONFLICT', 'This escalation has no proposed fix to approve');
        if (row.approval_order_id) throw new AppError('CONFLICT', 'The proposed fix is already approved');
        if (row.state === 'resolved') throw new AppError('CONFLICT', 'The escalation is already resolved');
        const proposal = row.proposal as EscalationProposal;
        const order = await orders.issueWithin(trx, actor, row.appliance_id, {
          type: 'run_runbook',
          payload: {
            escalationId: row.id,
            incidentId: proposal.incidentId,
            hostId: row.host_id,
            checkId: row.check_id,
            runbookId: proposal.runbookId,
            params: proposal.params,
          },
          expiresInMinutes: 24 * 60,
        });
        const at = now();
        const updated = await store.update(trx, id, {
          approval_order_id: order.id,
          approved_by: actor.actorId,
          approved_at: at,
          ...(row.state === 'open'
            ? { state: 'acknowledged', acknowledged_at: at, acknowledged_by: actor.actorId }
            : {}),
        });
        await audit.record(trx, actor, {
          action: 'escalation.approve',
          targetType: 'escalation',
          targetId: id,
          details: { orderId: order.id, runbookId: proposal.runbookId, ...(input.note ? { note: input.note } : {}) },
        });
        return toEscalation(updated, at);
      });
    },

    async resolve(actor: ActorContext, id: string, input: EscalationResolveRequest): Promise<Escalation> {
      await authorize.escalation(actor, id);
      return db.transaction().execute(async (trx) => {
        const row = await store.forUpdate(trx, id);
        if (!row) throw notFound('Escalation');
        if (row.state === 'resolved') throw new AppError('CONFLICT', 'The escalation is already resolved');
        const at = now();
        const updated = await store.update(trx, id, {
          state: 'resolved',
          resolved_at: at,
          resolved_by: actor.actorId,
          resolution: input.resolution,
          ...(row.acknowledged_at ? {} : { acknowledged_at: at, acknowledged_by: actor.actorId }),
        });
        await audit.record(trx, actor, {
          action: 'escalation.resolve',
          targetType: 'escalation',
          targetId: id,
          details: {},
        });
        return toEscalation(updated, at);
      });
    },
  };
}

export type EscalationsService = ReturnType<typeof createEscalationsService>;
