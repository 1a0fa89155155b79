import type { Host, HostCreateRequest, HostListQuery, HostUpdateRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import { translateConstraintErrors } from '../../platform/db-errors';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { AuditService } from '../audit';
import type { SitesService } from '../sites';
import { type HostsStore, toHost } from './hosts.store';

const duplicateHostname = (hostname: string) =>
  new AppError('CONFLICT', `A host named "${hostname}" already exists at this site`);

export function createHostsService(deps: {
  db: Kysely<DB>;
  store: HostsStore;
  audit: AuditService;
  authorize: Authorizer;
  sites: Pick<SitesService, 'require'>;
  now?: () => Date;
}) {
  const { db, store, audit, sites, authorize } = deps;
  const now = deps.now ?? (() => new Date());

  async function requireHost(trx: Executor, id: string): Promise<Host> {
    const row = await store.get(trx, id);
    if (!row) throw notFound('Host');
    return toHost(row);
  }

  return {
    async list(actor: ActorContext, query: HostListQuery) {
      return toPage(await store.list(db, query, decodeCursor(query.cursor), actorReach(actor)), query.limit, toHost);
    },

    async get(actor: ActorContext, id: string): Promise<Host> {
      await authorize.host(actor, id);
      return requireHost(db, id);
    },

    /** For other modules: the host, inside their transaction, or NOT_FOUND. */
    require: requireHost,

    async create(actor: ActorContext, input: HostCreateRequest): Promise<Host> {
      await authorize.site(actor, input.siteId);
      return translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            await sites.require(trx, input.siteId);
            const host = toHost(await store.insert(trx, newId(), input, now()));
            await audit.record(trx, actor, {
              action: 'host.create',
              targetType: 'host',
              targetId: host.id,
              details: { after: host },
            });
            return host;
          }),
        {
          unique: () => duplicateHostname(input.hostname),
          // The site was deleted between the check and the insert.
          foreignKey: () => notFound('Site'),
        },
      );
    },

    async update(actor: ActorContext, id: string, input: HostUpdateRequest): Promise<Host> {
      await authorize.host(actor, id);
      return translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            const before = await requireHost(trx, id);
            const row = await store.update(trx, id, input, now());
            if (!row) throw notFound('Host');
            await audit.record(trx, actor, {
              action: 'host.update',
              targetType: 'host',
              targetId: id,
              details: { before, changes: input },
            });
            return toHost(row);
          }),
        { unique: () => duplicateHostname(input.hostname ?? '') },
      );
    },

    async remove(actor: ActorContext, id: string): Promise<void> {
      await authorize.host(actor, id);
      return db.transaction().execute(async (trx) => {
        const before = await requireHost(trx, id);
        if (!(await store.remove(trx, id))) throw notFound('Host');
        await audit.record(trx, actor, {
          action: 'host.delete',
          targetType: 'host',
          targetId: id,
          details: { before },
        });
      });
    },
  };
}

export type HostsService = ReturnType<typeof createHostsService>;
