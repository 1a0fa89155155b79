import type { Partner, PartnerCreateRequest, PartnerListQuery, PartnerUpdateRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { actorReach, type Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/db-errors';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { AuditService } from '../audit';
import { type PartnersStore, toPartner } from './partners.store';

export function createPartnersService(deps: {
  db: Kysely<DB>;
  store: PartnersStore;
  audit: AuditService;
  authorize: Authorizer;
  now?: () => Date;
}) {
  const { db, store, audit, authorize } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async list(actor: ActorContext, query: PartnerListQuery) {
      return toPage(await store.list(db, query, decodeCursor(query.cursor), actorReach(actor)), query.limit, toPartner);
    },

    async get(actor: ActorContext, id: string): Promise<Partner> {
      await authorize.partner(actor, id);
      const row = await store.get(db, id);
      if (!row) throw notFound('Partner');
      return toPartner(row);
    },

    /** For other modules: the partner, inside their transaction, or NOT_FOUND. */
    async require(trx: Executor, id: string): Promise<Partner> {
      const row = await store.get(trx, id);
      if (!row) throw notFound('Partner');
      return toPartner(row);
    },

    /** For other modules: the partner with this slug, inside their transaction, or null. */
    async findBySlug(trx: Executor, slug: string): Promise<Partner | null> {
      const row = await store.bySlug(trx, slug);
      return row ? toPartner(row) : null;
    },

    /** A partner that signed up by OpenID Connect (pending approval unless its domain is allowed). */
    async createFromSignup(
      trx: Executor,
      actor: ActorContext,
      input: { name: string; slug: string; contactEmail: string; status: 'pending' | 'active' },
    ): Promise<Partner> {
      const partner = toPartner(await store.insert(trx, newId(), input, now()));
      await audit.record(trx, actor, {
        action: 'partner.signup',
        targetType: 'partner',
        targetId: partner.id,
        details: { after: partner },
      });
      return partner;
    },

    /** A platform admin's decision on a pending sign-up. */
    async decide(
      trx: Executor,
      actor: ActorContext,
      id: string,
      decision: 'approved' | 'rejected',
      note: string | null,
    ): Promise<Partner> {
      const before = await store.get(trx, id);
      if (!before) throw notFound('Partner');
      if (before.status !== 'pending') throw new AppError('CONFLICT', `The partner is ${before.status}, not pending`);
      const row = await store.decide(trx, id, {
        status: decision === 'approved' ? 'active' : 'rejected',
        decidedBy: actor.actorId,
        reason: note,
        at: now(),
      });
      await audit.record(trx, actor, {
        action: decision === 'approved' ? 'partner.approve' : 'partner.reject',
        targetType: 'partner',
        targetId: id,
        details: { note },
      });
      return toPartner(row);
    },

    async create(actor: ActorContext, input: PartnerCreateRequest): Promise<Partner> {
      try {
        return await db.transaction().execute(async (trx) => {
          const partner = toPartner(await store.insert(trx, newId(), input, now()));
          await audit.record(trx, actor, {
            action: 'partner.create',
            targetType: 'partner',
            targetId: partner.id,
            details: { after: partner },
          });
          return partner;
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('CONFLICT', `A partner with slug "${input.slug}" already exists`);
        throw error;
      }
    },

    async update(actor: ActorContext, id: string, input: PartnerUpdateRequest): Promise<Partner> {
      await authorize.partner(actor, id);
      return db.transaction().execute(async (trx) => {
        const before = await store.get(trx, id);
        if (!before) throw notFound('Partner');
        const row = await store.update(trx, id, input, now());
        if (!row) throw notFound('Partner');
        const partner = toPartner(row);
        await audit.record(trx, actor, {
          action: 'partner.update',
          targetType: 'partner',
          targetId: id,
          details: { before: toPartner(before), changes: input },
        });
        return partner;
      });
    },

    async remove(actor: ActorContext, id: string): Promise<void> {
      await authorize.partner(actor, id);
      try {
        await db.transaction().execute(async (trx) => {
          const before = await store.get(trx, id);
          if (!before || !(await store.remove(trx, id))) throw notFound('Partner');
          await audit.record(trx, actor, {
            action: 'partner.delete',
            targetType: 'partner',
            targetId: id,
            details: { before: toPartner(before) },
          });
        });
      } catch (error) {
        if (isForeignKeyViolation(error))
          throw new AppError('CONFLICT', 'The partner still has practices; delete them first');
        throw error;
      }
    },
  };
}

export type PartnersService = ReturnType<typeof createPartnersService>;
