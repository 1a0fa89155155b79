import type { Site, SiteCreateRequest, SiteListQuery, SiteUpdateRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import { translateConstraintErrors } from '../../platform/db-errors';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { AuditService } from '../audit';
import type { PracticesService } from '../practices';
import { type SitesStore, toSite } from './sites.store';

export function createSitesService(deps: {
  db: Kysely<DB>;
  store: SitesStore;
  audit: AuditService;
  authorize: Authorizer;
  practices: Pick<PracticesService, 'require'>;
  now?: () => Date;
}) {
  const { db, store, audit, practices, authorize } = deps;
  const now = deps.now ?? (() => new Date());

  async function requireSite(trx: Executor, id: string): Promise<Site> {
    const row = await store.get(trx, id);
    if (!row) throw notFound('Site');
    return toSite(row);
  }

  return {
    async list(actor: ActorContext, query: SiteListQuery) {
      return toPage(await store.list(db, query, decodeCursor(query.cursor), actorReach(actor)), query.limit, toSite);
    },

    async get(actor: ActorContext, id: string): Promise<Site> {
      await authorize.site(actor, id);
      return requireSite(db, id);
    },

    /** For other modules: the site, inside their transaction, or NOT_FOUND. */
    require: requireSite,

    async create(actor: ActorContext, input: SiteCreateRequest): Promise<Site> {
      await authorize.practice(actor, input.practiceId);
      return translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            await practices.require(trx, input.practiceId);
            const site = toSite(await store.insert(trx, newId(), input, now()));
            await audit.record(trx, actor, {
              action: 'site.create',
              targetType: 'site',
              targetId: site.id,
              details: { after: site },
            });
            return site;
          }),
        // The practice was deleted between the check and the insert.
        { foreignKey: () => notFound('Practice') },
      );
    },

    async update(actor: ActorContext, id: string, input: SiteUpdateRequest): Promise<Site> {
      await authorize.site(actor, id);
      return db.transaction().execute(async (trx) => {
        const before = await requireSite(trx, id);
        const row = await store.update(trx, id, input, now());
        if (!row) throw notFound('Site');
        await audit.record(trx, actor, {
          action: 'site.update',
          targetType: 'site',
          targetId: id,
          details: { before, changes: input },
        });
        return toSite(row);
      });
    },

    async remove(actor: ActorContext, id: string): Promise<void> {
      await authorize.site(actor, id);
      return translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            const before = await requireSite(trx, id);
            if (!(await store.remove(trx, id))) throw notFound('Site');
            await audit.record(trx, actor, {
              action: 'site.delete',
              targetType: 'site',
              targetId: id,
              details: { before },
            });
          }),
        { foreignKey: () => new AppError('CONFLICT', 'The site still has hosts; delete them first') },
      );
    },
  };
}

export type SitesService = ReturnType<typeof createSitesService>;
