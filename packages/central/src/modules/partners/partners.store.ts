import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Partner, PartnerCreateRequest, PartnerListQuery, PartnerUpdateRequest } from '@osiris/protocol';
import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { PartnersTable } from '../../platform/db-schema';
import { containsPattern } from '../../platform/pagination';

type Row = Selectable<PartnersTable>;

export function toPartner(row: Row): Partner {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    contactEmail: row.contact_email,
    status: row.status as Partner['status'],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function createPartnersStore() {
  return {
    async list(db: Executor, query: PartnerListQuery, afterId: string | undefined, reach: Reach): Promise<Row[]> {
      let q = withinReach(
        db
          .selectFrom('partners')
          .selectAll()
          .orderBy('id')
          .limit(query.limit + 1),
        reach,
        { partner: 'partners.id' },
      );
      if (afterId) q = q.where('id', '>', afterId);
      if (query.status) q = q.where('status', '=', query.status);
      if (query.q) {
        const pattern = containsPattern(query.q);
        q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('slug', 'ilike', pattern)]));
      }
      return q.execute();
    },

    get(db: Executor, id: string): Promise<Row | undefined> {
      return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
    },

    bySlug(db: Executor, slug: string): Promise<Row | undefined> {
      return db.selectFrom('partners').selectAll().where('slug', '=', slug).executeTakeFirst();
    },

    insert(db: Executor, id: string, input: PartnerCreateRequest, now: Date): Promise<Row> {
      return db
        .insertInto('partners')
        .values({
          id,
          name: input.name,
          slug: input.slug,
          contact_email: input.contactEmail ?? null,
          status: input.status,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    decide(
      db: Executor,
      id: string,
      decision: { status: 'active' | 'rejected'; decidedBy: string | null; reason: string | null; at: Date },
    ): Promise<Row> {
      return db
        .updateTable('partners')
        .set({
          status: decision.status,
          decided_by: decision.decidedBy,
          decided_at: decision.at,
          decision_reason: decision.reason,
          updated_at: decision.at,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    update(db: Executor, id: string, input: PartnerUpdateRequest, now: Date): Promise<Row | undefined> {
      return db
        .updateTable('partners')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.contactEmail !== undefined && { contact_email: input.contactEmail }),
          ...(input.status !== undefined && { status: input.status }),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    async remove(db: Executor, id: string): Promise<boolean> {
      const result = await db.deleteFrom('partners').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type PartnersStore = ReturnType<typeof createPartnersStore>;
