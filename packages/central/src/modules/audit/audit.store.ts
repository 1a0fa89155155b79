import type { AuditListQuery } from '@osiris/protocol';
import { sql } from 'kysely';
import type { Executor } from '../../platform/context';
import type { AuditLogTable } from '../../platform/db-schema';

export interface AuditRow {
  id: string;
  seq: number;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

type SelectedRow = { [K in keyof AuditLogTable]: unknown };

function toRow(row: SelectedRow): AuditRow {
  return {
    id: row.id as string,
    seq: Number(row.seq),
    occurredAt: row.occurred_at as Date,
    actorType: row.actor_type as string,
    actorId: row.actor_id as string | null,
    actorLabel: row.actor_label as string | null,
    action: row.action as string,
    targetType: row.target_type as string | null,
    targetId: row.target_id as string | null,
    outcome: row.outcome as string,
    ip: row.ip as string | null,
    requestId: row.request_id as string | null,
    details: row.details as Record<string, unknown>,
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

/** Arbitrary constant naming the lock that serialises appends to the chain. */
const CHAIN_LOCK_KEY = 72_616_002;

export function createAuditStore() {
  return {
    /** Must run inside a transaction: takes the chain lock until commit, then reads the head. */
    async lockHead(trx: Executor): Promise<{ seq: number; hash: string } | undefined> {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK_KEY)})`.execute(trx);
      const head = await trx
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return head ? { seq: Number(head.seq), hash: head.hash } : undefined;
    },

    async insert(trx: Executor, row: AuditRow): Promise<void> {
      await trx
        .insertInto('audit_log')
        .values({
          id: row.id,
          seq: row.seq,
          occurred_at: row.occurredAt,
          actor_type: row.actorType,
          actor_id: row.actorId,
          actor_label: row.actorLabel,
          action: row.action,
          target_type: row.targetType,
          target_id: row.targetId,
          outcome: row.outcome,
          ip: row.ip,
          request_id: row.requestId,
          details: JSON.stringify(row.details),
          prev_hash: row.prevHash,
          hash: row.hash,
        })
        .execute();
    },

    async list(db: Executor, query: AuditListQuery): Promise<AuditRow[]> {
      let q = db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(query.limit + 1);
      if (query.cursor) q = q.where('seq', '<', Number(query.cursor));
      if (query.action) q = q.where('action', '=', query.action);
      if (query.actorId) q = q.where('actor_id', '=', query.actorId);
      if (query.targetType) q = q.where('target_type', '=', query.targetType);
      if (query.targetId) q = q.where('target_id', '=', query.targetId);
      if (query.outcome) q = q.where('outcome', '=', query.outcome);
      if (query.from) q = q.where('occurred_at', '>=', new Date(query.from));
      if (query.to) q = q.where('occurred_at', '<', new Date(query.to));
      return (await q.execute()).map(toRow);
    },

    /** Entries in chain order, a batch at a time, for verification. */
    async batchAfter(db: Executor, afterSeq: number, size: number): Promise<AuditRow[]> {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(size)
        .execute();
      return rows.map(toRow);
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
