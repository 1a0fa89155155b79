import type { Reach } from '../../platform/access';
import { withinReach } from '../../platform/authorize';
import type { Host, HostCreateRequest, HostListQuery, HostUpdateRequest } from '@osiris/protocol';
import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { HostsTable } from '../../platform/db-schema';
import { containsPattern } from '../../platform/pagination';

/** A host row with the practice and partner it belongs to, through its site. */
type Row = Selectable<HostsTable> & { practice_id: string; partner_id: string };

export function toHost(row: Row): Host {
  return {
    id: row.id,
    siteId: row.site_id,
    practiceId: row.practice_id,
    partnerId: row.partner_id,
    hostname: row.hostname,
    address: row.address,
    platform: row.platform as Host['platform'],
    role: row.role as Host['role'],
    status: row.status as Host['status'],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads `sites` and `practices` only to learn a host's owners; they stay owned by their stores. */
function selectHosts(db: Executor) {
  return db
    .selectFrom('hosts')
    .innerJoin('sites', 'sites.id', 'hosts.site_id')
    .innerJoin('practices', 'practices.id', 'sites.practice_id')
    .selectAll('hosts')
    .select(['sites.practice_id', 'practices.partner_id']);
}

function get(db: Executor, id: string): Promise<Row | undefined> {
  return selectHosts(db).where('hosts.id', '=', id).executeTakeFirst();
}

export function createHostsStore() {
  return {
    get,

    list(db: Executor, query: HostListQuery, afterId: string | undefined, reach: Reach): Promise<Row[]> {
      let q = withinReach(
        selectHosts(db)
          .orderBy('hosts.id')
          .limit(query.limit + 1),
        reach,
        { site: 'hosts.site_id' },
      );
      if (afterId) q = q.where('hosts.id', '>', afterId);
      if (query.siteId) q = q.where('hosts.site_id', '=', query.siteId);
      if (query.practiceId) q = q.where('sites.practice_id', '=', query.practiceId);
      if (query.partnerId) q = q.where('practices.partner_id', '=', query.partnerId);
      if (query.platform) q = q.where('hosts.platform', '=', query.platform);
      if (query.role) q = q.where('hosts.role', '=', query.role);
      if (query.status) q = q.where('hosts.status', '=', query.status);
      if (query.q) {
        const pattern = containsPattern(query.q);
        q = q.where((eb) => eb.or([eb('hosts.hostname', 'ilike', pattern), eb('hosts.address', 'ilike', pattern)]));
      }
      return q.execute();
    },

    async insert(db: Executor, id: string, input: HostCreateRequest, now: Date): Promise<Row> {
      await db
        .insertInto('hosts')
        .values({
          id,
          site_id: input.siteId,
          hostname: input.hostname,
          address: input.address ?? null,
          platform: input.platform,
          role: input.role,
          status: input.status,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const row = await get(db, id);
      if (!row) throw new Error(`host ${id} vanished after insert`);
      return row;
    },

    async update(db: Executor, id: string, input: HostUpdateRequest, now: Date): Promise<Row | undefined> {
      const updated = await db
        .updateTable('hosts')
        .set({
          ...(input.hostname !== undefined && { hostname: input.hostname }),
          ...(input.address !== undefined && { address: input.address }),
          ...(input.platform !== undefined && { platform: input.platform }),
          ...(input.role !== undefined && { role: input.role }),
          ...(input.status !== undefined && { status: input.status }),
          updated_at: now,
        })
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return updated ? get(db, id) : undefined;
    },

    async remove(db: Executor, id: string): Promise<boolean> {
      const result = await db.deleteFrom('hosts').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type HostsStore = ReturnType<typeof createHostsStore>;
