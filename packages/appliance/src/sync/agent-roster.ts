import { createHash } from 'node:crypto';
import { AgentRosterReport, AgentRosterResponse } from '@osiris/protocol';
import { createAgentsStore } from '../agents/agents.store';
import { createWaiter } from '../daemon/sleep';
import type { Logger } from '../log';
import type { Store } from '../store';
import { type FetchImpl, postJson } from './central-client';

const OS_NAMES: Record<string, 'windows' | 'macos' | 'linux'> = { WINDOWS: 'windows', MACOS: 'macos', LINUX: 'linux' };
const MAX_AGENTS = 5000;

/** The enrolled agents as central's roster report; agents of unknown OS are left out (and counted). */
function agentRoster(store: Pick<Store, 'db'>): { report: AgentRosterReport; unknownOs: number } {
  let unknownOs = 0;
  const agents = createAgentsStore(store.db)
    .listAgents()
    .flatMap((agent) => {
      const os = OS_NAMES[agent.osFamily];
      if (!os) {
        unknownOs++;
        return [];
      }
      const facts = JSON.parse(agent.factsJson) as { osVersion?: unknown };
      return [
        {
          agentId: agent.agentId,
          hostname: agent.hostname.slice(0, 253) || agent.agentId,
          os,
          osVersion: typeof facts.osVersion === 'string' ? facts.osVersion.slice(0, 200) : '',
          agentVersion: agent.agentVersion.slice(0, 64) || 'unknown',
          status: agent.revokedAt ? ('revoked' as const) : ('active' as const),
          enrolledAt: agent.enrolledAt,
          lastSeenAt: agent.lastHeartbeatAt,
          droppedResultsTotal: Math.max(0, agent.droppedResultsTotal),
        },
      ];
    })
    .slice(0, MAX_AGENTS);
  return { report: AgentRosterReport.parse({ schemaVersion: 1, agents }), unknownOs };
}

/**
 * Sends the appliance's agent roster to central (`POST /v1/appliance/agents`) when it changed
 * since the last report central accepted, and at start. The report replaces the previous one, so
 * a lost or repeated report is harmless; a failure is logged and the next round tries again.
 */
export function createAgentRosterSync(deps: { store: Store; log: Logger; fetchImpl?: FetchImpl }) {
  const { store, log } = deps;
  let lastSentDigest: string | null = null;
  const waiter = createWaiter();

  const sync = {
    /** Returns the number of agents sent, or null when nothing changed or the appliance is not registered. */
    async flush(): Promise<number | null> {
      const registration = store.registration.get();
      if (!registration) return null;
      const { report, unknownOs } = agentRoster(store);
      const digest = createHash('sha256').update(JSON.stringify(report)).digest('hex');
      if (digest === lastSentDigest) return null;
      await postJson(
        deps.fetchImpl ?? fetch,
        `${registration.centralUrl}/v1/appliance/agents`,
        report,
        AgentRosterResponse,
        { token: registration.token, describeStatus: () => null },
      );
      lastSentDigest = digest;
      log.info('agent roster sent', { agents: report.agents.length, ...(unknownOs > 0 ? { unknownOs } : {}) });
      return report.agents.length;
    },
    /** Ends the current wait of `loop` early (e.g. an agent enrolled or was revoked). */
    wake: () => waiter.wake(),
    /** Sends at start and then every `intervalMs` (or when woken) if the roster changed, until `signal` aborts. */
    async loop(options: { intervalMs: number; signal: AbortSignal }): Promise<void> {
      while (!options.signal.aborted) {
        await sync.flush().catch((error: unknown) => {
          log.warn('agent roster not sent; will retry', { reason: (error as Error).message });
        });
        await waiter.wait(options.intervalMs, options.signal);
      }
    },
  };
  return sync;
}
