import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { type Reach, reachOf, reaches } from './access';
import type { ActorContext, Executor } from './context';
import type { DB } from './db-schema';
import { AppError, notFound } from './errors';

/** Where an object sits in the tenancy: partner → practice → site. */
export interface Owner {
  partnerId: string;
  practiceId: string | null;
  siteId: string | null;
}

/** The reach of a person or API key; system and appliance actors reach everything they are given. */
export function actorReach(actor: ActorContext): Reach {
  if (!actor.principal) {
    if (actor.actorType === 'system') return { kind: 'all' };
    throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  }
  return reachOf(actor.principal);
}

/**
 * Tenant isolation (issue 5): one authorization function per resource type, used by every service
 * before it reads or changes an object. An object outside the caller's reach is answered exactly
 * like a missing one (404), so ids of other tenants reveal nothing. Each function is one query
 * up the tenancy chain (a read of the tenancy tables, which this platform module may do for every
 * module).
 */
export function createAuthorizer(db: Kysely<DB>) {
  async function check(actor: ActorContext, what: string, owner: Owner | undefined): Promise<Owner> {
    if (!owner || !reaches(actorReach(actor), owner)) throw notFound(what);
    return owner;
  }

  const site = (executor: Executor) =>
    executor
      .selectFrom('sites')
      .innerJoin('practices', 'practices.id', 'sites.practice_id')
      .select(['practices.partner_id as partnerId', 'practices.id as practiceId', 'sites.id as siteId']);

  return {
    async partner(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await executor.selectFrom('partners').select('id').where('id', '=', id).executeTakeFirst();
      return check(actor, 'Partner', row && { partnerId: row.id, practiceId: null, siteId: null });
    },
    async practice(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await executor
        .selectFrom('practices')
        .select(['partner_id', 'id'])
        .where('id', '=', id)
        .executeTakeFirst();
      return check(actor, 'Practice', row && { partnerId: row.partner_id, practiceId: row.id, siteId: null });
    },
    async site(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      return check(actor, 'Site', await site(executor).where('sites.id', '=', id).executeTakeFirst());
    },
    async host(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await site(executor)
        .innerJoin('hosts', 'hosts.site_id', 'sites.id')
        .where('hosts.id', '=', id)
        .executeTakeFirst();
      return check(actor, 'Host', row);
    },
    async appliance(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await site(executor)
        .innerJoin('appliances', 'appliances.site_id', 'sites.id')
        .where('appliances.id', '=', id)
        .executeTakeFirst();
      return check(actor, 'Appliance', row);
    },
    async escalation(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await site(executor)
        .innerJoin('escalations', 'escalations.site_id', 'sites.id')
        .where('escalations.id', '=', id)
        .executeTakeFirst();
      return check(actor, 'Escalation', row);
    },
    async exception(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await site(executor)
        .innerJoin('compliance_exceptions', 'compliance_exceptions.site_id', 'sites.id')
        .where('compliance_exceptions.id', '=', id)
        .executeTakeFirst();
      return check(actor, 'Exception', row);
    },
    async packet(actor: ActorContext, id: string, executor: Executor = db): Promise<Owner> {
      const row = await executor
        .selectFrom('compliance_packets')
        .innerJoin('practices', 'practices.id', 'compliance_packets.practice_id')
        .select(['practices.partner_id as partnerId', 'practices.id as practiceId'])
        .where('compliance_packets.id', '=', id)
        .executeTakeFirst();
      return check(actor, 'Packet', row && { ...row, siteId: null });
    },
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;

/**
 * Narrows a list query to the caller's reach, given the column holding the row's site, practice
 * or partner id. Platform staff see everything.
 */
export function withinReach<QB extends SelectQueryBuilder<DB, keyof DB, object>>(
  query: QB,
  reach: Reach,
  column: { site: string } | { practice: string } | { partner: string },
): QB {
  if (reach.kind === 'all') return query;
  const ref = (name: string) => sql.ref(name);
  if ('partner' in column) {
    return reach.kind === 'partner'
      ? (query.where(ref(column.partner), '=', reach.partnerId) as QB)
      : (query.where(sql<boolean>`false`) as QB);
  }
  if ('practice' in column) {
    return reach.kind === 'practice'
      ? (query.where(ref(column.practice), '=', reach.practiceId) as QB)
      : (query.where(ref(column.practice), 'in', (eb: ExpressionBuilder<DB, keyof DB>) =>
          eb.selectFrom('practices').select('practices.id').where('practices.partner_id', '=', reach.partnerId),
        ) as QB);
  }
  const practices = (eb: ExpressionBuilder<DB, keyof DB>) =>
    reach.kind === 'practice'
      ? eb.selectFrom('sites').select('sites.id').where('sites.practice_id', '=', reach.practiceId)
      : eb
          .selectFrom('sites')
          .innerJoin('practices', 'practices.id', 'sites.practice_id')
          .select('sites.id')
          .where('practices.partner_id', '=', reach.partnerId);
  return query.where(ref(column.site), 'in', practices) as QB;
}
