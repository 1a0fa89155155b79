import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Practice, PracticeCreateRequest, PracticeListQuery, PracticeUpdateRequest } from '@osiris/protocol';
import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { PracticesTable } from '../../platform/db-schema';
import { containsPattern } from '../../platform/pagination';

type Row = Selectable<PracticesTable>;

export function toPractice(row: Row): Practice {
  return {
    id: row.id,
    partnerId: row.partner_id,
    name: row.name,
    contactEmail: row.contact_email,
    status: row.status as Practice['status'],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function createPracticesStore() {
  return {
    list(db: Executor, query: PracticeListQuery, afterId: string | undefined, reach: Reach): Promise<Row[]> {
      let q = withinReach(
        db
          .selectFrom('practices')
          .selectAll()
          .orderBy('id')
          .limit(query.limit + 1),
        reach,
        { practice: 'practices.id' },
      );
      if (afterId) q = q.where('id', '>', afterId);
      if (query.partnerId) q = q.where('partner_id', '=', query.partnerId);
      if (query.status) q = q.where('status', '=', query.status);
      if (query.q) q = q.where('name', 'ilike', containsPattern(query.q));
      return q.execute();
    },

    get(db: Executor, id: string): Promise<Row | undefined> {
      return db.selectFrom('practices').selectAll().where('id', '=', id).executeTakeFirst();
    },

    insert(db: Executor, id: string, input: PracticeCreateRequest, now: Date): Promise<Row> {
      return db
        .insertInto('practices')
        .values({
          id,
          partner_id: input.partnerId,
          name: input.name,
          contact_email: input.contactEmail ?? null,
          status: input.status,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    update(db: Executor, id: string, input: PracticeUpdateRequest, now: Date): Promise<Row | undefined> {
      return db
        .updateTable('practices')
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
      const result = await db.deleteFrom('practices').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type PracticesStore = ReturnType<typeof createPracticesStore>;
