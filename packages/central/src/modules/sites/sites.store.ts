import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Site, SiteCreateRequest, SiteListQuery, SiteUpdateRequest } from '@osiris/protocol';
import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { SitesTable } from '../../platform/db-schema';
import { containsPattern } from '../../platform/pagination';

/** A site row with the partner it belongs to, through its practice. */
type Row = Selectable<SitesTable> & { partner_id: string };

export function toSite(row: Row): Site {
  return {
    id: row.id,
    practiceId: row.practice_id,
    partnerId: row.partner_id,
    name: row.name,
    address: row.address,
    timezone: row.timezone,
    status: row.status as Site['status'],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads `practices` only to learn the partner of a site; practices stay owned by their store. */
function selectSites(db: Executor) {
  return db
    .selectFrom('sites')
    .innerJoin('practices', 'practices.id', 'sites.practice_id')
    .selectAll('sites')
    .select('practices.partner_id');
}

function get(db: Executor, id: string): Promise<Row | undefined> {
  return selectSites(db).where('sites.id', '=', id).executeTakeFirst();
}

export function createSitesStore() {
  return {
    get,

    list(db: Executor, query: SiteListQuery, afterId: string | undefined, reach: Reach): Promise<Row[]> {
      let q = withinReach(
        selectSites(db)
          .orderBy('sites.id')
          .limit(query.limit + 1),
        reach,
        { practice: 'sites.practice_id' },
      );
      if (afterId) q = q.where('sites.id', '>', afterId);
      if (query.practiceId) q = q.where('sites.practice_id', '=', query.practiceId);
      if (query.partnerId) q = q.where('practices.partner_id', '=', query.partnerId);
      if (query.status) q = q.where('sites.status', '=', query.status);
      if (query.q) {
        const pattern = containsPattern(query.q);
        q = q.where((eb) => eb.or([eb('sites.name', 'ilike', pattern), eb('sites.address', 'ilike', pattern)]));
      }
      return q.execute();
    },

    async insert(db: Executor, id: string, input: SiteCreateRequest, now: Date): Promise<Row> {
      await db
        .insertInto('sites')
        .values({
          id,
          practice_id: input.practiceId,
          name: input.name,
          address: input.address ?? null,
          timezone: input.timezone,
          status: input.status,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const row = await get(db, id);
      if (!row) throw new Error(`site ${id} vanished after insert`);
      return row;
    },

    async update(db: Executor, id: string, input: SiteUpdateRequest, now: Date): Promise<Row | undefined> {
      const updated = await db
        .updateTable('sites')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.address !== undefined && { address: input.address }),
          ...(input.timezone !== undefined && { timezone: input.timezone }),
          ...(input.status !== undefined && { status: input.status }),
          updated_at: now,
        })
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return updated ? get(db, id) : undefined;
    },

    async remove(db: Executor, id: string): Promise<boolean> {
      const result = await db.deleteFrom('sites').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type SitesStore = ReturnType<typeof createSitesStore>;
