import type { ComplianceException, ExceptionListQuery, FrameworkId } from '@osiris/protocol';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Executor } from '../../platform/context';
import type { ComplianceExceptionsTable } from '../../platform/db-schema';

export type ExceptionRow = Selectable<ComplianceExceptionsTable> & {
  requested_by_name: string | null;
  decided_by_name: string | null;
  ended_by_name: string | null;
};

export function toException(row: ExceptionRow, now: Date): ComplianceException {
  return {
    id: row.id,
    partnerId: row.partner_id,
    practiceId: row.practice_id,
    siteId: row.site_id,
    hostId: row.host_id,
    scope:
      row.check_id !== null
        ? { kind: 'check', checkId: row.check_id }
        : { kind: 'control', framework: row.framework as FrameworkId, controlId: row.control_id ?? '' },
    checkIds: row.check_ids as string[],
    reason: row.reason,
    state: row.state as ComplianceException['state'],
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decisionNote: row.decision_note,
    startsAt: row.starts_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
    endedBy: row.ended_by,
    endNote: row.end_note,
    names: { requestedBy: row.requested_by_name, decidedBy: row.decided_by_name, endedBy: row.ended_by_name },
    isActive: row.state === 'approved' && row.starts_at <= now && now < row.expires_at,
  };
}

/** Every column, with the display names of the people it names (users are read, never written). */
const withNames = (db: Executor) =>
  db
    .selectFrom('compliance_exceptions')
    .selectAll('compliance_exceptions')
    .select((eb) => [
      eb
        .selectFrom('users')
        .select('name')
        .whereRef('users.id', '=', 'compliance_exceptions.requested_by')
        .as('requested_by_name'),
      eb
        .selectFrom('users')
        .select('name')
        .whereRef('users.id', '=', 'compliance_exceptions.decided_by')
        .as('decided_by_name'),
      eb
        .selectFrom('users')
        .select('name')
        .whereRef('users.id', '=', 'compliance_exceptions.ended_by')
        .as('ended_by_name'),
    ]);

/** SQL for the compliance_exceptions table; nothing else. */
export function createExceptionsStore() {
  return {
    async insert(db: Executor, row: Insertable<ComplianceExceptionsTable>): Promise<ExceptionRow> {
      await db.insertInto('compliance_exceptions').values(row).execute();
      return withNames(db)
        .where('compliance_exceptions.id', '=', row.id as string)
        .executeTakeFirstOrThrow();
    },

    get: (db: Executor, id: string) => withNames(db).where('compliance_exceptions.id', '=', id).executeTakeFirst(),

    forUpdate: (db: Executor, id: string) =>
      db.selectFrom('compliance_exceptions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    async update(db: Executor, id: string, set: Updateable<ComplianceExceptionsTable>): Promise<ExceptionRow> {
      await db.updateTable('compliance_exceptions').set(set).where('id', '=', id).execute();
      return withNames(db).where('compliance_exceptions.id', '=', id).executeTakeFirstOrThrow();
    },

    /** Newest request first; keyset after (requested_at, id) of the cursor row. */
    list: (
      db: Executor,
      query: ExceptionListQuery,
      after: { requestedAt: Date; id: string } | undefined,
      reach: Reach,
    ) =>
      withinReach(withNames(db), reach, { site: 'compliance_exceptions.site_id' })
        .$if(query.siteId !== undefined, (q) => q.where('site_id', '=', query.siteId as string))
        .$if(query.state !== undefined, (q) => q.where('state', '=', query.state as string))
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('requested_at', '<', after?.requestedAt as Date),
              eb.and([eb('requested_at', '=', after?.requestedAt as Date), eb('id', '<', after?.id as string)]),
            ]),
          ),
        )
        .orderBy('requested_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute(),

    /** Approved exceptions of a site that have not ended yet (active now or starting later). */
    approvedForSite: (db: Executor, siteId: string, now: Date) =>
      db
        .selectFrom('compliance_exceptions')
        .selectAll()
        .where('site_id', '=', siteId)
        .where('state', '=', 'approved')
        .where('expires_at', '>', now)
        .orderBy('id')
        .execute(),

    /** Marks every approved exception whose time is up as expired; returns them (locked by the update). */
    expireDue: (db: Executor, now: Date) =>
      db
        .updateTable('compliance_exceptions')
        .set({ state: 'expired', ended_at: now, ended_by: null })
        .where('state', '=', 'approved')
        .where('expires_at', '<=', now)
        .returningAll()
        .execute(),

    /** The site's appliances that still receive orders (not revoked). */
    siteAppliances: (db: Executor, siteId: string) =>
      db.selectFrom('appliances').select('id').where('site_id', '=', siteId).where('status', '!=', 'revoked').execute(),

    siteOwner: (db: Executor, siteId: string) =>
      db
        .selectFrom('sites')
        .innerJoin('practices', 'practices.id', 'sites.practice_id')
        .select(['sites.id as siteId', 'practices.id as practiceId', 'practices.partner_id as partnerId'])
        .where('sites.id', '=', siteId)
        .executeTakeFirst(),

    /** Whether the host is the site's: registered there, or reported on by one of its appliances. */
    async isSiteHost(db: Executor, siteId: string, hostId: string): Promise<boolean> {
      const registered = await db
        .selectFrom('hosts')
        .select('id')
        .where('id', '=', hostId)
        .where('site_id', '=', siteId)
        .executeTakeFirst();
      if (registered) return true;
      const reported = await db
        .selectFrom('latest_results')
        .innerJoin('appliances', 'appliances.id', 'latest_results.appliance_id')
        .select('latest_results.host_id')
        .where('latest_results.host_id', '=', hostId)
        .where('appliances.site_id', '=', siteId)
        .limit(1)
        .executeTakeFirst();
      return reported !== undefined;
    },
  };
}
export type ExceptionsStore = ReturnType<typeof createExceptionsStore>;
