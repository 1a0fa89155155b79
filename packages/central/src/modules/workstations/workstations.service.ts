import type {
  AgentRosterEntry,
  AgentRosterRefusal,
  AgentRosterReport,
  AgentRosterResponse,
  AgentTier,
  SiteAgentTier,
  WorkstationList,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import { type ActorContext, type Executor, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { AuthenticatedAppliance } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import type { WorkstationsStore } from './workstations.store';

/** The name a retired or revoked agent's host keeps when its computer's name goes to a newer agent. */
const retiredName = (hostname: string, id: string) => `${hostname.slice(0, 244)}~${id.slice(-8)}`;

/** A `set_agent_tier` order stays deliverable for the longest an order may live (7 days). */
const TIER_ORDER_MINUTES = 7 * 24 * 60;

/** Workstation agents reported by appliances, and the per-site tier that says what they may heal. */
export function createWorkstationsService(deps: {
  db: Kysely<DB>;
  store: WorkstationsStore;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, orders, authorize, now } = deps;

  /**
   * Why an entry cannot be this site's workstation host, or null when it can. A workstation host
   * holding the hostname that is retired, or this appliance's agent no longer active in the report
   * (the same computer under an earlier agent), is renamed `<hostname>~<id>` so the re-enrolled
   * agent takes the name; a server's name, or another appliance's active agent's, is never taken.
   */
  async function conflictOf(
    trx: Executor,
    appliance: AuthenticatedAppliance,
    agent: AgentRosterEntry,
    activeIds: ReadonlySet<string>,
    at: Date,
  ) {
    const { siteId } = appliance;
    const byId = await store.hostById(trx, agent.agentId);
    if (byId && (byId.site_id !== siteId || byId.role !== 'workstation'))
      return { code: 'HOST_ID_TAKEN', message: 'The agent id is already another host (of another site or role)' };
    const byName = await store.hostByName(trx, siteId, agent.hostname);
    if (!byName || byName.id === agent.agentId) return null;
    const isStale =
      byName.status === 'retired' || (byName.appliance_id === appliance.applianceId && !activeIds.has(byName.id));
    if (byName.role === 'workstation' && isStale) {
      await store.renameHost(trx, byName.id, retiredName(agent.hostname, byName.id), at);
      return null;
    }
    return {
      code: 'HOSTNAME_TAKEN',
      message: `The hostname is already the site's ${byName.role} host ${byName.id}; the entry was not applied`,
    };
  }

  async function pushTier(trx: Executor, siteId: string, tier: AgentTier, at: Date): Promise<void> {
    for (const appliance of await store.siteAppliances(trx, siteId))
      await orders.issueWithin(trx, SYSTEM_ACTOR, appliance.id, {
        type: 'set_agent_tier',
        payload: { asOf: at.toISOString(), tier },
        expiresInMinutes: TIER_ORDER_MINUTES,
      });
  }

  return {
    /** The appliance's whole roster: upserts its agents as workstation hosts; refuses collisions. */
    async ingestRoster(
      actor: ActorContext,
      appliance: AuthenticatedAppliance,
      report: AgentRosterReport,
    ): Promise<Required<AgentRosterResponse>> {
      const { applianceId, siteId } = appliance;
      return db.transaction().execute(async (trx) => {
        const at = now();
        const refused: AgentRosterRefusal[] = [];
        const kept: string[] = [];
        const seenNames = new Set<string>();
        const activeIds = new Set(report.agents.filter((a) => a.status === 'active').map((a) => a.agentId));
        // Active agents claim their hostnames first; a revoked one sharing a name keeps it suffixed.
        const ordered = [...report.agents].sort(
          (x, y) => Number(x.status === 'revoked') - Number(y.status === 'revoked'),
        );
        for (const reported of ordered) {
          const agent =
            reported.status === 'revoked' && seenNames.has(reported.hostname)
              ? { ...reported, hostname: retiredName(reported.hostname, reported.agentId) }
              : reported;
          const duplicate = seenNames.has(agent.hostname) || kept.includes(agent.agentId);
          const conflict = duplicate
            ? { code: 'DUPLICATE_ENTRY', message: 'The report names this agent or hostname twice' }
            : await conflictOf(trx, appliance, agent, activeIds, at);
          if (conflict) {
            refused.push({ agentId: agent.agentId, hostname: agent.hostname, ...conflict });
            continue;
          }
          seenNames.add(agent.hostname);
          kept.push(agent.agentId);
          await store.upsertHost(trx, siteId, agent, at);
          await store.upsertAgent(trx, siteId, applianceId, agent, at);
        }
        const dropped = await store.dropMissing(trx, applianceId, kept, at);
        if (refused.length > 0)
          await audit.record(trx, actor, {
            action: 'workstations.roster-refused',
            targetType: 'appliance',
            targetId: applianceId,
            details: { siteId, refused: refused.slice(0, 50), refusedCount: refused.length },
          });
        if (dropped > 0)
          await audit.record(trx, actor, {
            action: 'workstations.roster-dropped',
            targetType: 'appliance',
            targetId: applianceId,
            details: { siteId, dropped },
          });
        return { accepted: kept.length, refused };
      });
    },

    async getTier(actor: ActorContext, siteId: string): Promise<SiteAgentTier> {
      await authorize.site(actor, siteId);
      const { tier, updatedAt } = await store.tier(db, siteId);
      return { siteId, tier, updatedAt: updatedAt?.toISOString() ?? null };
    },

    /** Sets the site's tier; every appliance of the site gets it as a signed order (same transaction). */
    async setTier(actor: ActorContext, siteId: string, tier: AgentTier): Promise<SiteAgentTier> {
      await authorize.site(actor, siteId);
      return db.transaction().execute(async (trx) => {
        const at = now();
        const before = await store.tier(trx, siteId);
        await store.setTier(trx, siteId, tier, at);
        await audit.record(trx, actor, {
          action: 'workstations.set-tier',
          targetType: 'site',
          targetId: siteId,
          details: { from: before.tier, to: tier },
        });
        await pushTier(trx, siteId, tier, at);
        return { siteId, tier, updatedAt: at.toISOString() };
      });
    },

    async list(actor: ActorContext, siteId: string): Promise<WorkstationList> {
      await authorize.site(actor, siteId);
      const { tier } = await store.tier(db, siteId);
      return { tier, items: await store.list(db, siteId) };
    },

    /** A newly registered appliance gets its site's tier when one was set. */
    async onRegistered(applianceId: string, siteId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { tier, updatedAt } = await store.tier(trx, siteId);
        if (updatedAt === null) return;
        const at = now();
        await orders.issueWithin(trx, SYSTEM_ACTOR, applianceId, {
          type: 'set_agent_tier',
          payload: { asOf: at.toISOString(), tier },
          expiresInMinutes: TIER_ORDER_MINUTES,
        });
      });
    },
  };
}
export type WorkstationsService = ReturnType<typeof createWorkstationsService>;
