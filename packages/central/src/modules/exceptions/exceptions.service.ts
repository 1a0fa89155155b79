import {
  checkById,
  type ComplianceException,
  EXCEPTION_MAX_DAYS,
  type ExceptionCreateRequest,
  type ExceptionDecisionRequest,
  type ExceptionListQuery,
  type ExceptionScope,
  type SetExceptionsPayload,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { type ActorContext, type Executor, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, invalidField, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { type ExceptionsStore, toException } from './exceptions.store';

/** A `set_exceptions` order stays deliverable for the longest an order may live (7 days). */
const EXCEPTIONS_ORDER_MINUTES = 7 * 24 * 60;
const DAY_MS = 86_400_000;

/**
 * The checks a control-wide exception covers: those that evidence the control. Null when the
 * framework or control is unknown.
 */
export type ChecksOfControl = (framework: string, controlId: string) => readonly string[] | null;

/** What the exceptions module tells people (through the notifications module), in its transaction. */
export type ExceptionNotifier = (
  trx: Executor,
  event: {
    type: 'exception.requested' | 'exception.expired';
    priority: 'P3';
    partnerId: string;
    title: string;
    body: string;
    link: string;
    dedupKey: string;
  },
) => Promise<void>;

/** Compliance exceptions: requested, decided, pushed to the site's appliances, expired on time. */
export function createExceptionsService(deps: {
  db: Kysely<DB>;
  store: ExceptionsStore;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  authorize: Authorizer;
  checksOfControl: ChecksOfControl;
  notify?: ExceptionNotifier | undefined;
  now: () => Date;
}) {
  const { db, store, audit, orders, authorize, checksOfControl, now } = deps;
  const notify = deps.notify ?? (async () => undefined);
  const scopeText = (row: { check_id: string | null; framework: string | null; control_id: string | null }) =>
    row.check_id ?? `${row.framework} ${row.control_id}`;

  function checksOf(scope: ExceptionScope): string[] {
    if (scope.kind === 'check') {
      if (!checkById(scope.checkId)) throw invalidField(['scope', 'checkId'], `unknown check ${scope.checkId}`);
      return [scope.checkId];
    }
    const checks = checksOfControl(scope.framework, scope.controlId);
    if (checks === null)
      throw invalidField(['scope', 'controlId'], `unknown control ${scope.framework} ${scope.controlId}`);
    if (checks.length === 0)
      throw invalidField(['scope', 'controlId'], 'no check evidences this control; attest it instead of excepting it');
    return [...checks];
  }

  /**
   * Sends every appliance of the site the site's whole set of approved, unexpired exceptions (also
   * those starting later: the appliance applies them on time by itself). Within the caller's
   * transaction, so the order exists only if the change does.
   */
  async function pushToSite(trx: Executor, siteId: string, onlyApplianceId?: string): Promise<number> {
    const at = now();
    const rows = await store.approvedForSite(trx, siteId, at);
    const payload: SetExceptionsPayload = {
      asOf: at.toISOString(),
      exceptions: rows.flatMap((row) =>
        (row.check_ids as string[]).map((checkId) => ({
          id: row.id,
          checkId,
          hostId: row.host_id,
          startsAt: row.starts_at.toISOString(),
          expiresAt: row.expires_at.toISOString(),
        })),
      ),
    };
    const appliances = (await store.siteAppliances(trx, siteId)).filter(
      (appliance) => onlyApplianceId === undefined || appliance.id === onlyApplianceId,
    );
    for (const appliance of appliances)
      await orders.issueWithin(trx, SYSTEM_ACTOR, appliance.id, {
        type: 'set_exceptions',
        payload,
        expiresInMinutes: EXCEPTIONS_ORDER_MINUTES,
      });
    return appliances.length;
  }

  /** Locks an exception the caller may act on, or answers 404 like a missing one. */
  async function lockFor(trx: Executor, actor: ActorContext, id: string) {
    await authorize.exception(actor, id, trx);
    const row = await store.forUpdate(trx, id);
    if (!row) throw notFound('Exception');
    return row;
  }

  async function decide(
    actor: ActorContext,
    id: string,
    verdict: 'approved' | 'rejected',
    note: string | null,
  ): Promise<ComplianceException> {
    return db.transaction().execute(async (trx) => {
      const row = await lockFor(trx, actor, id);
      if (row.state !== 'pending') throw new AppError('CONFLICT', `The exception is already ${row.state}`);
      const at = now();
      if (verdict === 'approved' && row.expires_at <= at)
        throw new AppError('CONFLICT', 'The exception would already have expired; ask for a new one');
      const updated = await store.update(trx, id, {
        state: verdict,
        decided_by: actor.actorId,
        decided_at: at,
        decision_note: note,
      });
      await audit.record(trx, actor, {
        action: verdict === 'approved' ? 'exception.approve' : 'exception.reject',
        targetType: 'exception',
        targetId: id,
        details: { siteId: row.site_id, ...(note ? { note } : {}) },
      });
      if (verdict === 'approved') await pushToSite(trx, row.site_id);
      return toException(updated, at);
    });
  }

  return {
    async request(actor: ActorContext, siteId: string, input: ExceptionCreateRequest): Promise<ComplianceException> {
      await authorize.site(actor, siteId);
      const at = now();
      const startsAt = input.startsAt ? new Date(input.startsAt) : at;
      const expiresAt = new Date(input.expiresAt);
      if (expiresAt <= at) throw invalidField('expiresAt', 'must be in the future');
      if (expiresAt.getTime() <= startsAt.getTime()) throw invalidField('expiresAt', 'must be after startsAt');
      if (expiresAt.getTime() - startsAt.getTime() > EXCEPTION_MAX_DAYS * DAY_MS)
        throw invalidField('expiresAt', `an exception lasts at most ${EXCEPTION_MAX_DAYS} days`);
      const checkIds = checksOf(input.scope);
      return db.transaction().execute(async (trx) => {
        const owner = await store.siteOwner(trx, siteId);
        if (!owner) throw notFound('Site');
        const hostId = input.hostId ?? null;
        if (hostId !== null && !(await store.isSiteHost(trx, siteId, hostId)))
          throw invalidField('hostId', 'no such host at this site');
        const row = await store.insert(trx, {
          id: newId(),
          partner_id: owner.partnerId,
          practice_id: owner.practiceId,
          site_id: siteId,
          host_id: hostId,
          check_id: input.scope.kind === 'check' ? input.scope.checkId : null,
          framework: input.scope.kind === 'control' ? input.scope.framework : null,
          control_id: input.scope.kind === 'control' ? input.scope.controlId : null,
          check_ids: JSON.stringify(checkIds),
          reason: input.reason,
          state: 'pending',
          requested_by: actor.actorId,
          requested_at: at,
          starts_at: startsAt,
          expires_at: expiresAt,
        });
        await notify(trx, {
          type: 'exception.requested',
          priority: 'P3',
          partnerId: owner.partnerId,
          title: `Exception requested: ${scopeText(row)}`,
          body: `${input.reason} (until ${expiresAt.toISOString().slice(0, 10)}); a partner admin or platform admin decides.`,
          link: '/exceptions',
          dedupKey: `exception-request:${row.id}`,
        });
        await audit.record(trx, actor, {
          action: 'exception.request',
          targetType: 'exception',
          targetId: row.id,
          details: {
            siteId,
            hostId,
            scope: input.scope,
            startsAt: startsAt.toISOString(),
            expiresAt: expiresAt.toISOString(),
          },
        });
        return toException(row, at);
      });
    },

    async list(actor: ActorContext, query: ExceptionListQuery) {
      if (query.siteId) await authorize.site(actor, query.siteId);
      const cursorId = decodeCursor(query.cursor);
      const cursorRow = cursorId ? await store.get(db, cursorId) : undefined;
      if (cursorId && !cursorRow) throw invalidField('cursor', 'unknown cursor');
      const after = cursorRow ? { requestedAt: cursorRow.requested_at, id: cursorRow.id } : undefined;
      const rows = await store.list(db, query, after, actorReach(actor));
      const at = now();
      return toPage(rows, query.limit, (row) => toException(row, at));
    },

    async get(actor: ActorContext, id: string): Promise<ComplianceException> {
      await authorize.exception(actor, id);
      const row = await store.get(db, id);
      if (!row) throw notFound('Exception');
      return toException(row, now());
    },

    approve: (actor: ActorContext, id: string, note: string | null) => decide(actor, id, 'approved', note),
    reject: (actor: ActorContext, id: string, input: ExceptionDecisionRequest) =>
      decide(actor, id, 'rejected', input.note),

    /** Ends an approved exception early; healing resumes on the appliance's next cycle. */
    async revoke(actor: ActorContext, id: string, input: ExceptionDecisionRequest): Promise<ComplianceException> {
      return db.transaction().execute(async (trx) => {
        const row = await lockFor(trx, actor, id);
        if (row.state !== 'approved')
          throw new AppError('CONFLICT', `Only an approved exception can be revoked; this one is ${row.state}`);
        const at = now();
        const updated = await store.update(trx, id, {
          state: 'revoked',
          ended_at: at,
          ended_by: actor.actorId,
          end_note: input.note,
        });
        await audit.record(trx, actor, {
          action: 'exception.revoke',
          targetType: 'exception',
          targetId: id,
          details: { siteId: row.site_id, note: input.note },
        });
        await pushToSite(trx, row.site_id);
        return toException(updated, at);
      });
    },

    /**
     * The expiry job: every approved exception whose time is up becomes `expired` (audited as the
     * system) and its site's appliances get the reduced set. Safe to run concurrently: the update
     * claims each row once.
     */
    async expireDue(): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const expired = await store.expireDue(trx, now());
        for (const row of expired)
          await notify(trx, {
            type: 'exception.expired',
            priority: 'P3',
            partnerId: row.partner_id,
            title: `Exception expired: ${scopeText(row)}`,
            body: `The exception ended at ${row.expires_at.toISOString()}; the appliance checks and heals it again.`,
            link: '/exceptions',
            dedupKey: `exception-expired:${row.id}`,
          });
        for (const row of expired)
          await audit.record(trx, SYSTEM_ACTOR, {
            action: 'exception.expire',
            targetType: 'exception',
            targetId: row.id,
            details: { siteId: row.site_id, expiresAt: row.expires_at.toISOString() },
          });
        for (const siteId of new Set(expired.map((row) => row.site_id))) await pushToSite(trx, siteId);
        return expired.length;
      });
    },

    /** A newly registered appliance gets its site's exceptions (nothing is sent while there are none). */
    async onRegistered(applianceId: string, siteId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if ((await store.approvedForSite(trx, siteId, now())).length > 0) await pushToSite(trx, siteId, applianceId);
      });
    },
  };
}
export type ExceptionsService = ReturnType<typeof createExceptionsService>;
