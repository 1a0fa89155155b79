import {
  type ApplianceEscalationRequest,
  ESCALATION_SLA_MINUTES,
  type Escalation,
  type EscalationAssignRequest,
  type EscalationNote,
  type EscalationNoteRequest,
  type EscalationPriority,
  type EscalationSla,
  type EscalationSlaSettings,
  type EscalationApproveRequest,
  type EscalationProposal,
  type EscalationListQuery,
  type EscalationResolveRequest,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext, Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, invalidField, notFound } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import { decodeCursor, toPage } from '../../platform/pagination';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { type EscalationsStore, toEscalation, toEscalationNote } from './escalations.store';
import { newId } from '../../platform/ids';
import { SYSTEM_ACTOR } from '../../platform/context';

/** What the escalations module tells people about (through the notifications module). */
interface EscalationEvent {
  type: 'escalation.created' | 'escalation.breached';
  priority: EscalationPriority;
  partnerId: string | null;
  title: string;
  body: string;
  link: string;
  dedupKey: string;
  /** The platform admins must hear of it even when no platform notification rule is routed for it. */
  mustReachPlatform?: true;
}

export type EscalationNotifier = (trx: Executor, event: EscalationEvent) => Promise<void>;

/** The SLAs in force: the partner's overrides over the defaults. */
function slaOf(overrides: Record<string, number> | null | undefined): EscalationSla {
  return { ...ESCALATION_SLA_MINUTES, ...(overrides ?? {}) };
}

/** L3: escalations appliances send, and the people who acknowledge and resolve them. */
export function createEscalationsService(deps: {
  db: Kysely<DB>;
  store: EscalationsStore;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  authorize: Authorizer;
  now: () => Date;
  /** Publishes within the caller's transaction (so nothing is told about a change that rolled back). */
  notify?: EscalationNotifier | undefined;
}) {
  const { db, store, audit, orders, authorize, now } = deps;
  const notify = deps.notify ?? (async () => undefined);

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
        const partner = await store.sitePartner(trx, appliance.siteId);
        const slaMinutes = slaOf(partner?.sla)[input.priority];
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
          sla_due_at: new Date(at.getTime() + slaMinutes * 60_000),
        });
        if (row.appliance_id !== appliance.applianceId)
          throw new AppError('CONFLICT', 'This escalation id belongs to another appliance');
        if (isNew)
          await notify(trx, {
            type: 'escalation.created',
            priority: input.priority,
            partnerId: partner?.partnerId ?? null,
            title: `${input.priority} escalation: ${input.checkId} on ${input.hostname}`,
            body: input.summary,
            link: `/escalations/${row.id}`,
            dedupKey: `escalation:${row.id}`,
          });
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
      const assigneeId =
        query.assignee === undefined
          ? undefined
          : query.assignee === 'none'
            ? null
            : query.assignee === 'me'
              ? actor.actorId
              : query.assignee;
      const cursorId = decodeCursor(query.cursor);
      const cursorRow = cursorId ? await store.get(db, cursorId) : undefined;
      if (cursorId && !cursorRow)
        throw new AppError('VALIDATION_FAILED', 'Invalid query', {
          details: { issues: [{ path: ['cursor'], message: 'unknown cursor', code: 'custom' }] },
        });
      const after = cursorRow ? { receivedAt: cursorRow.received_at, id: cursorRow.id } : undefined;
      const rows = await store.list(
        db,
        { ...query, ...(assigneeId === undefined ? {} : { assigneeId }) },
        after,
        actorReach(actor),
      );
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

    /** Assigns to a platform operator/admin or one of the escalation's partner people; null clears. */
    async assign(actor: ActorContext, id: string, input: EscalationAssignRequest): Promise<Escalation> {
      const owner = await authorize.escalation(actor, id);
      return db.transaction().execute(async (trx) => {
        const row = await store.forUpdate(trx, id);
        if (!row) throw notFound('Escalation');
        if (row.state === 'resolved') throw new AppError('CONFLICT', 'The escalation is already resolved');
        if (input.userId !== null && !(await store.assignable(trx, input.userId, owner.partnerId)))
          throw invalidField('userId', "not an active platform or partner user of this escalation's partner");
        const at = now();
        const updated = await store.update(trx, id, {
          assigned_to: input.userId,
          assigned_at: input.userId === null ? null : at,
        });
        await audit.record(trx, actor, {
          action: input.userId === null ? 'escalation.unassign' : 'escalation.assign',
          targetType: 'escalation',
          targetId: id,
          details: { from: row.assigned_to, to: input.userId },
        });
        return toEscalation(updated, at);
      });
    },

    async addNote(actor: ActorContext, id: string, input: EscalationNoteRequest): Promise<EscalationNote> {
      await authorize.escalation(actor, id);
      return db.transaction().execute(async (trx) => {
        const row = await store.forUpdate(trx, id);
        if (!row) throw notFound('Escalation');
        const note = await store.insertNote(trx, {
          id: newId(),
          escalation_id: id,
          author_id: actor.actorId,
          body: input.body,
          created_at: now(),
        });
        await audit.record(trx, actor, {
          action: 'escalation.note',
          targetType: 'escalation',
          targetId: id,
          details: { noteId: note.id, length: input.body.length },
        });
        return toEscalationNote(note);
      });
    },

    async notes(actor: ActorContext, id: string): Promise<{ items: EscalationNote[] }> {
      await authorize.escalation(actor, id);
      return { items: (await store.notes(db, id)).map(toEscalationNote) };
    },

    async getSla(actor: ActorContext, partnerId: string): Promise<EscalationSla> {
      await authorize.partner(actor, partnerId);
      const row = await store.partnerSla(db, partnerId);
      if (!row) throw notFound('Partner');
      return slaOf(row.escalation_sla);
    },

    /** Replaces the partner's overrides (an empty object restores the defaults); applies to new escalations. */
    async setSla(actor: ActorContext, partnerId: string, input: EscalationSlaSettings): Promise<EscalationSla> {
      await authorize.partner(actor, partnerId);
      const overrides = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Record<
        string,
        number
      >;
      return db.transaction().execute(async (trx) => {
        await store.setPartnerSla(trx, partnerId, Object.keys(overrides).length > 0 ? overrides : null);
        await audit.record(trx, actor, {
          action: 'partner.escalation_sla',
          targetType: 'partner',
          targetId: partnerId,
          details: overrides,
        });
        return slaOf(overrides);
      });
    },

    /**
     * The breach job: an open escalation past its acknowledge SLA is escalated once to the platform
     * admins (a `escalation.breached` event, which platform routing rules receive) and audited.
     */
    async breachDue(): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const at = now();
        const breached = await store.markBreached(trx, at);
        for (const row of breached) {
          const overdueMinutes = Math.round((at.getTime() - row.sla_due_at.getTime()) / 60_000);
          await audit.record(trx, SYSTEM_ACTOR, {
            action: 'escalation.breach',
            targetType: 'escalation',
            targetId: row.id,
            details: { priority: row.priority, slaDueAt: row.sla_due_at.toISOString(), siteId: row.site_id },
          });
          await notify(trx, {
            type: 'escalation.breached',
            mustReachPlatform: true,
            priority: row.priority as EscalationPriority,
            // Platform routing rules see every event; the partner's own rules see it too.
            partnerId: (await store.sitePartner(trx, row.site_id))?.partnerId ?? null,
            title: `SLA breached: ${row.priority} escalation on ${row.hostname} not acknowledged`,
            body: `${row.summary} (due ${row.sla_due_at.toISOString()}, ${overdueMinutes} min ago)`,
            link: `/escalations/${row.id}`,
            dedupKey: `escalation-breach:${row.id}`,
          });
        }
        return breached.length;
      });
    },
  };
}

export type EscalationsService = ReturnType<typeof createEscalationsService>;
