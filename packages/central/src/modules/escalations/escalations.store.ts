import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Escalation, EscalationListQuery, EscalationNote } from '@osiris/protocol';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { EscalationNotesTable, EscalationsTable } from '../../platform/db-schema';

type EscalationRow = Selectable<EscalationsTable>;

export function toEscalation(row: EscalationRow, now: Date): Escalation {
  return {
    id: row.id,
    applianceId: row.appliance_id,
    siteId: row.site_id,
    hostId: row.host_id,
    hostname: row.hostname,
    checkId: row.check_id,
    priority: row.priority as Escalation['priority'],
    state: row.state as Escalation['state'],
    summary: row.summary,
    detected: row.detected as Escalation['detected'],
    attempts: row.attempts as Escalation['attempts'],
    evidenceSeqs: row.evidence_seqs as number[],
    createdAt: row.created_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    slaDueAt: row.sla_due_at.toISOString(),
    isOverdue: row.state === 'open' && row.sla_due_at <= now,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
    proposal: (row.proposal ?? null) as Escalation['proposal'],
    approval:
      row.approval_order_id && row.approved_at
        ? { orderId: row.approval_order_id, approvedBy: row.approved_by, approvedAt: row.approved_at.toISOString() }
        : null,
    assignedTo: row.assigned_to,
    assignedAt: row.assigned_at?.toISOString() ?? null,
    breachedAt: row.breached_at?.toISOString() ?? null,
    slaRemainingMs: row.state === 'open' ? row.sla_due_at.getTime() - now.getTime() : null,
  };
}

export const toEscalationNote = (row: Selectable<EscalationNotesTable>): EscalationNote => ({
  id: row.id,
  escalationId: row.escalation_id,
  authorId: row.author_id,
  body: row.body,
  createdAt: row.created_at.toISOString(),
});

/** SQL for the escalations table; nothing else. */
export function createEscalationsStore() {
  return {
    /** Inserts unless this appliance already sent this id; returns the stored row either way. */
    async insertOnce(db: Executor, row: Insertable<EscalationsTable>): Promise<{ row: EscalationRow; isNew: boolean }> {
      const inserted = await db
        .insertInto('escalations')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { row: inserted, isNew: true };
      const existing = await db
        .selectFrom('escalations')
        .selectAll()
        .where('id', '=', row.id as string)
        .executeTakeFirstOrThrow();
      return { row: existing, isNew: false };
    },

    forUpdate: (db: Executor, id: string) =>
      db.selectFrom('escalations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    get: (db: Executor, id: string) => db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst(),

    update: (db: Executor, id: string, set: Updateable<EscalationsTable>) =>
      db.updateTable('escalations').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    /** Newest first; keyset after (received_at, id) of the cursor row. */
    list: (
      db: Executor,
      query: EscalationListQuery & { assigneeId?: string | null },
      after: { receivedAt: Date; id: string } | undefined,
      reach: Reach,
    ) =>
      withinReach(db.selectFrom('escalations').selectAll(), reach, { site: 'escalations.site_id' })
        .$if(query.assigneeId === null, (q) => q.where('assigned_to', 'is', null))
        .$if(typeof query.assigneeId === 'string', (q) => q.where('assigned_to', '=', query.assigneeId as string))
        .$if(query.siteId !== undefined, (q) => q.where('site_id', '=', query.siteId as string))
        .$if(query.state !== undefined, (q) => q.where('state', '=', query.state as string))
        .$if(query.priority !== undefined, (q) => q.where('priority', '=', query.priority as string))
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('received_at', '<', after?.receivedAt as Date),
              eb.and([eb('received_at', '=', after?.receivedAt as Date), eb('id', '<', after?.id as string)]),
            ]),
          ),
        )
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute(),

    /** Marks open escalations whose SLA has passed as breached; each row is claimed once. */
    markBreached: (db: Executor, now: Date) =>
      db
        .updateTable('escalations')
        .set({ breached_at: now })
        .where('state', '=', 'open')
        .where('breached_at', 'is', null)
        .where('sla_due_at', '<=', now)
        .returningAll()
        .execute(),

    insertNote: (db: Executor, row: Insertable<EscalationNotesTable>) =>
      db.insertInto('escalation_notes').values(row).returningAll().executeTakeFirstOrThrow(),

    notes: (db: Executor, escalationId: string) =>
      db
        .selectFrom('escalation_notes')
        .selectAll()
        .where('escalation_id', '=', escalationId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(500)
        .execute(),

    /** The partner behind a site, with its SLA overrides. */
    sitePartner: (db: Executor, siteId: string) =>
      db
        .selectFrom('sites')
        .innerJoin('practices', 'practices.id', 'sites.practice_id')
        .innerJoin('partners', 'partners.id', 'practices.partner_id')
        .select(['partners.id as partnerId', 'partners.name as partnerName', 'partners.escalation_sla as sla'])
        .where('sites.id', '=', siteId)
        .executeTakeFirst(),

    partnerSla: (db: Executor, partnerId: string) =>
      db.selectFrom('partners').select(['id', 'escalation_sla']).where('id', '=', partnerId).executeTakeFirst(),

    setPartnerSla: (db: Executor, partnerId: string, sla: Record<string, number> | null) =>
      db
        .updateTable('partners')
        .set({ escalation_sla: sla === null ? null : JSON.stringify(sla) })
        .where('id', '=', partnerId)
        .execute(),

    /** A user an escalation of this partner may be assigned to: active platform staff or the partner's own people. */
    assignable: (db: Executor, userId: string, partnerId: string) =>
      db
        .selectFrom('users')
        .select(['id', 'role', 'partner_id'])
        .where('id', '=', userId)
        .where('status', '=', 'active')
        .where((eb) =>
          eb.or([
            eb('role', 'in', ['admin', 'operator']),
            eb.and([eb('partner_id', '=', partnerId), eb('role', 'in', ['partner_admin', 'technician'])]),
          ]),
        )
        .executeTakeFirst(),
  };
}

export type EscalationsStore = ReturnType<typeof createEscalationsStore>;
