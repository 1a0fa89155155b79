import { createHash } from 'node:crypto';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditListQuery,
  type AuditVerifyResponse,
  canonicalJson,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext, Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { newId } from '../../platform/ids';
import type { AuditRow, AuditStore } from './audit.store';

export interface AuditEvent {
  action: string;
  outcome?: 'success' | 'failure' | 'denied';
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** The hash of an entry covers every field but the hash itself, as canonical JSON. */
function hashAuditEntry(row: Omit<AuditRow, 'hash'>): string {
  const body = {
    id: row.id,
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    ip: row.ip,
    requestId: row.requestId,
    details: row.details,
    prevHash: row.prevHash,
  };
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    ...row,
    occurredAt: row.occurredAt.toISOString(),
    outcome: row.outcome as AuditEntry['outcome'],
    actorType: row.actorType as AuditEntry['actorType'],
  };
}

const VERIFY_BATCH = 1000;

export function createAuditService(deps: { db: Kysely<DB>; store: AuditStore; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());

  /** Append one entry inside the caller's transaction, so it commits or rolls back with the change. */
  async function record(trx: Executor, actor: ActorContext, event: AuditEvent): Promise<void> {
    const head = await deps.store.lockHead(trx);
    // Plain JSON round trip: what is hashed is exactly what jsonb gives back.
    const details = JSON.parse(JSON.stringify(event.details ?? {})) as Record<string, unknown>;
    const row: Omit<AuditRow, 'hash'> = {
      id: newId(),
      seq: (head?.seq ?? 0) + 1,
      occurredAt: now(),
      actorType: actor.actorType,
      actorId: actor.actorId,
      actorLabel: actor.actorLabel,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      outcome: event.outcome ?? 'success',
      ip: actor.ip,
      requestId: actor.requestId,
      details,
      prevHash: head?.hash ?? AUDIT_GENESIS_HASH,
    };
    await deps.store.insert(trx, { ...row, hash: hashAuditEntry(row) });
  }

  /** A security event with no other change to go with it: its own transaction. */
  async function recordEvent(actor: ActorContext, event: AuditEvent): Promise<void> {
    await deps.db.transaction().execute((trx) => record(trx, actor, event));
  }

  async function list(query: AuditListQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const rows = await deps.store.list(deps.db, query);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items: items.map(toEntry), nextCursor: rows.length > query.limit && last ? String(last.seq) : null };
  }

  /** Recompute every hash and link from the first entry; name the first entry that does not hold. */
  async function verify(): Promise<AuditVerifyResponse> {
    let checked = 0;
    let prevHash = AUDIT_GENESIS_HASH;
    let expectedSeq = 1;
    let afterSeq = 0;
    for (;;) {
      const batch = await deps.store.batchAfter(deps.db, afterSeq, VERIFY_BATCH);
      for (const row of batch) {
        const { hash, ...rest } = row;
        const reason =
          row.seq !== expectedSeq
            ? 'sequence_gap'
            : row.prevHash !== prevHash
              ? 'broken_link'
              : hashAuditEntry(rest) !== hash
                ? 'hash_mismatch'
                : null;
        if (reason) {
          return { ok: false, checked, headSeq: null, headHash: null, firstBad: { id: row.id, seq: row.seq, reason } };
        }
        checked += 1;
        prevHash = hash;
        expectedSeq += 1;
      }
      if (batch.length < VERIFY_BATCH) break;
      afterSeq = batch.at(-1)?.seq ?? afterSeq;
    }
    return {
      ok: true,
      checked,
      headSeq: checked > 0 ? expectedSeq - 1 : null,
      headHash: checked > 0 ? prevHash : null,
      firstBad: null,
    };
  }

  return { record, recordEvent, list, verify };
}

export type AuditService = ReturnType<typeof createAuditService>;
