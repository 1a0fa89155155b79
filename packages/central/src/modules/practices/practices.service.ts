import type { Practice, PracticeCreateRequest, PracticeListQuery, PracticeUpdateRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import { translateConstraintErrors } from '../../platform/db-errors';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { AuditService } from '../audit';
import type { PartnersService } from '../partners';
import { type PracticesStore, toPractice } from './practices.store';

export function createPracticesService(deps: {
  db: Kysely<DB>;
  store: PracticesStore;
  audit: AuditService;
  authorize: Authorizer;
  partners: Pick<PartnersService, 'require'>;
  now?: () => Date;
}) {
  const { db, store, audit, partners, authorize } = deps;
  const now = deps.now ?? (() => new Date());

  async function requirePractice(trx: Executor, id: string): Promise<Practice> {
    const row = await store.get(trx, id);
    if (!row) throw notFound('Practice');
    return toPractice(row);
  }

  return {
    async list(actor: ActorContext, query: PracticeListQuery) {
      return toPage(
        await store.list(db, query, decodeCursor(query.cursor), actorReach(actor)),
        query.limit,
        toPractice,
      );
    },

    async get(actor: ActorContext, id: string): Promise<Practice> {
      await authorize.practice(actor, id);
      return requirePractice(db, id);
    },

    /** For other modules: the practice, inside their transaction, or NOT_FOUND. */
    require: requirePractice,

    async create(actor: ActorContext, input: PracticeCreateRequest): Promise<Practice> {
      await authorize.partner(actor, input.partnerId);
      return translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            await partners.require(trx, input.partnerId);
            const practice = toPractice(await store.insert(trx, newId(), input, now()));
            await audit.record(trx, actor, {
              action: 'practice.create',
              targetType: 'practice',
              targetId: practice.id,
              details: { after: practice },
            });
            return practice;
          }),
        // The partner was deleted between the check and the insert.
        { foreignKey: () => notFound('Partner') },
      );
    },

    async update(actor: ActorContext, id: string, input: PracticeUpdateRequest): Promise<Practice> {
      await authorize.practice(actor, id);
      return db.transaction().execute(async (trx) => {
        const before = await requirePractice(trx, id);
        const row = await store.update(trx, id, input, now());
        if (!row) throw notFound('Practice');
        await audit.record(trx, actor, {
          action: 'practice.update',
          targetType: 'practice',
          targetId: id,
          details: { before, changes: input },
        });
        return toPractice(row);
      });
    },

    async remove(actor: ActorContext, id: string): Promise<void> {
      await authorize.practice(actor, id);
      return translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            const before = await requirePractice(trx, id);
            if (!(await store.remove(trx, id))) throw notFound('Practice');
            await audit.record(trx, actor, {
              action: 'practice.delete',
              targetType: 'practice',
              targetId: id,
              details: { before },
            });
          }),
        { foreignKey: () => new AppError('CONFLICT', 'The practice still has sites; delete them first') },
      );
    },
  };
}

export type PracticesService = ReturnType<typeof createPracticesService>;
