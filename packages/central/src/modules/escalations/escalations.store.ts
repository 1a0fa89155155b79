import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Escalation, EscalationListQuery } from '@osiris/protocol';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { EscalationsTable } from '../../platform/db-schema';

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
  };
}

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
      query: EscalationListQuery,
      after: { receivedAt: Date; id: string } | undefined,
      reach: Reach,
    ) =>
      withinReach(db.selectFrom('escalations').selectAll(), reach, { site: 'escalations.site_id' })
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
  };
}

export type EscalationsStore = ReturnType<typeof createEscalationsStore>;
