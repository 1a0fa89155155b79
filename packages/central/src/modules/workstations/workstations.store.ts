import type { AgentRosterEntry, AgentTier, WorkstationSummary } from '@osiris/protocol';
import { sql } from 'kysely';
import type { Executor } from '../../platform/context';
import type { Int8, NullableTimestamp, Timestamp } from '../../platform/db-column-types';

// Migration 0027, owned by this store; merged into DB.
declare module '../../platform/db-schema' {
  interface DB {
    workstation_agents: {
      host_id: string;
      site_id: string;
      appliance_id: string;
      os: string;
      os_version: string;
      agent_version: string;
      status: string;
      enrolled_at: Timestamp;
      last_seen_at: NullableTimestamp;
      dropped_results_total: Int8;
      reported_at: Timestamp;
    };
    site_agent_tiers: { site_id: string; tier: string; updated_at: Timestamp };
  }
}

/**
 * The agents' facts and the sites' tiers. Workstation agents are hosts too: this store writes
 * `hosts` rows of role `workstation` only (the roster is their source), never another host.
 */
export function createWorkstationsStore() {
  return {
    hostById: (db: Executor, id: string) =>
      db.selectFrom('hosts').select(['id', 'site_id', 'hostname', 'role']).where('id', '=', id).executeTakeFirst(),

    /** The site's host of this name, with the appliance that reports it when it is an agent. */
    hostByName: (db: Executor, siteId: string, hostname: string) =>
      db
        .selectFrom('hosts')
        .leftJoin('workstation_agents', 'workstation_agents.host_id', 'hosts.id')
        .select(['hosts.id', 'hosts.role', 'hosts.status', 'workstation_agents.appliance_id'])
        .where('hosts.site_id', '=', siteId)
        .where('hosts.hostname', '=', hostname)
        .executeTakeFirst(),

    /** Frees a retired workstation host's name for a re-enrolled agent of the same computer. */
    async renameHost(db: Executor, id: string, hostname: string, at: Date): Promise<void> {
      await db
        .updateTable('hosts')
        .set({ hostname, updated_at: at })
        .where('id', '=', id)
        .where('role', '=', 'workstation')
        .execute();
    },

    async upsertHost(db: Executor, siteId: string, agent: AgentRosterEntry, at: Date): Promise<void> {
      await db
        .insertInto('hosts')
        .values({
          id: agent.agentId,
          site_id: siteId,
          hostname: agent.hostname,
          address: null,
          platform: agent.os,
          role: 'workstation',
          status: agent.status === 'active' ? 'active' : 'retired',
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            hostname: agent.hostname,
            platform: agent.os,
            status: agent.status === 'active' ? 'active' : 'retired',
            updated_at: at,
          }),
        )
        .execute();
    },

    async upsertAgent(db: Executor, siteId: string, applianceId: string, agent: AgentRosterEntry, at: Date) {
      const values = {
        site_id: siteId,
        appliance_id: applianceId,
        os: agent.os,
        os_version: agent.osVersion,
        agent_version: agent.agentVersion,
        status: agent.status,
        enrolled_at: new Date(agent.enrolledAt),
        last_seen_at: agent.lastSeenAt ? new Date(agent.lastSeenAt) : null,
        dropped_results_total: agent.droppedResultsTotal,
        reported_at: at,
      };
      await db
        .insertInto('workstation_agents')
        .values({ host_id: agent.agentId, ...values })
        .onConflict((oc) => oc.column('host_id').doUpdateSet(values))
        .execute();
    },

    /** Agents the appliance reported before but not now: dropped here, their hosts retired. */
    async dropMissing(db: Executor, applianceId: string, keep: string[], at: Date): Promise<number> {
      let q = db.deleteFrom('workstation_agents').where('appliance_id', '=', applianceId);
      if (keep.length > 0) q = q.where('host_id', 'not in', keep);
      const dropped = await q.returning('host_id').execute();
      const ids = dropped.map((row) => row.host_id);
      if (ids.length > 0)
        await db
          .updateTable('hosts')
          .set({ status: 'retired', updated_at: at })
          .where('id', 'in', ids)
          .where('role', '=', 'workstation')
          .execute();
      return ids.length;
    },

    async tier(db: Executor, siteId: string): Promise<{ tier: AgentTier; updatedAt: Date | null }> {
      const row = await db
        .selectFrom('site_agent_tiers')
        .select(['tier', 'updated_at'])
        .where('site_id', '=', siteId)
        .executeTakeFirst();
      return row
        ? { tier: row.tier as AgentTier, updatedAt: row.updated_at }
        : { tier: 'monitor_only', updatedAt: null };
    },

    async setTier(db: Executor, siteId: string, tier: AgentTier, at: Date): Promise<void> {
      await db
        .insertInto('site_agent_tiers')
        .values({ site_id: siteId, tier, updated_at: at })
        .onConflict((oc) => oc.column('site_id').doUpdateSet({ tier, updated_at: at }))
        .execute();
    },

    siteAppliances: (db: Executor, siteId: string) =>
      db.selectFrom('appliances').select('id').where('site_id', '=', siteId).where('status', '!=', 'revoked').execute(),

    /** The site's agents with counts of their latest results (from the site's appliances). */
    async list(db: Executor, siteId: string): Promise<WorkstationSummary[]> {
      const rows = await db
        .selectFrom('workstation_agents as w')
        .innerJoin('hosts as h', 'h.id', 'w.host_id')
        .leftJoin('latest_results as r', (join) =>
          join
            .onRef('r.host_id', '=', 'w.host_id')
            .on('r.appliance_id', 'in', (sub) =>
              sub.selectFrom('appliances as a').select('a.id').where('a.site_id', '=', siteId),
            ),
        )
        .select([
          'w.host_id',
          'h.hostname',
          'w.os',
          'w.os_version',
          'w.agent_version',
          'w.status',
          'w.last_seen_at',
          'w.dropped_results_total',
          sql<string>`count(*) filter (where r.status = 'pass')`.as('pass'),
          sql<string>`count(*) filter (where r.status = 'fail')`.as('fail'),
          sql<string>`count(*) filter (where r.status = 'error')`.as('error'),
        ])
        .where('w.site_id', '=', siteId)
        .groupBy([
          'w.host_id',
          'h.hostname',
          'w.os',
          'w.os_version',
          'w.agent_version',
          'w.status',
          'w.last_seen_at',
          'w.dropped_results_total',
        ])
        .orderBy('h.hostname')
        .execute();
      return rows.map((row) => ({
        hostId: row.host_id,
        hostname: row.hostname,
        os: row.os as WorkstationSummary['os'],
        osVersion: row.os_version,
        agentVersion: row.agent_version,
        status: row.status as WorkstationSummary['status'],
        lastSeenAt: row.last_seen_at?.toISOString() ?? null,
        droppedResultsTotal: Number(row.dropped_results_total),
        results: { pass: Number(row.pass), fail: Number(row.fail), error: Number(row.error) },
      }));
    },
  };
}
export type WorkstationsStore = ReturnType<typeof createWorkstationsStore>;
