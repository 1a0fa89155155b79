import { hostname } from 'node:os';
import type { ApplianceConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import { createAgentConfigSource } from './agent-config';
import { createAgentEvidencePump } from './agent-evidence';
import { createAgentHealer } from './agent-healer';
import { createAgentResultsStore } from './agent-results.store';
import { startAgentServer } from './agent-server';
import { createAgentService } from './agent.service';
import { createAgentsStore } from './agents.store';
import { loadOrCreateSiteCa } from './site-ca';

const DAY_MS = 86_400_000;

/**
 * The daemon's workstation agent endpoint, when `agents.enabled` is set: the site CA from the data
 * dir, the stores on the appliance database, and the gRPC server. Returns null when disabled.
 */
export async function startAgentEndpoint(deps: {
  config: ApplianceConfig;
  store: Store;
  siteId: string;
  log: Logger;
  /**
   * Where agent results become evidence (the daemon's writer, incidents and exceptions); absent:
   * stored only. With it, failing results on incidents get heal commands as the site's tier allows.
   */
  evidence?: Omit<Parameters<typeof createAgentEvidencePump>[0], 'store' | 'results' | 'log' | 'healer'>;
  /** Called when an agent enrolled (the roster report to central changed). */
  onRosterChanged?: () => void;
}) {
  const settings = deps.config.agents;
  if (!settings.enabled) return null;
  const ca = await loadOrCreateSiteCa(deps.config.dataDir, { siteId: deps.siteId });
  const agents = createAgentsStore(deps.store.db);
  const results = createAgentResultsStore(deps.store.db);
  const { log } = deps;
  const agentConfig = createAgentConfigSource({
    store: deps.store,
    base: {
      tier: settings.tier,
      heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds,
      resultsIntervalSeconds: settings.resultsIntervalSeconds,
      checks: settings.checks,
    },
  });
  const { evidence } = deps;
  const pump = evidence
    ? createAgentEvidencePump({
        ...evidence,
        store: deps.store,
        results,
        log,
        healer: createAgentHealer({
          results,
          incidents: evidence.incidents,
          tier: () => agentConfig.current().tier,
          // The service is built below; the pump only runs once the server is up.
          queue: (command) => service.queueHealCommand(command),
          log,
        }),
      })
    : null;
  const pumpNow = () => {
    pump?.flush().catch((error: unknown) => log.error('agent results not written as evidence; will retry', { error }));
  };
  const service = createAgentService({
    siteId: deps.siteId,
    ca,
    agents,
    results,
    config: agentConfig,
    clientCertificateValidityMs: settings.clientCertificateDays * DAY_MS,
    log: deps.log,
    onReported: pumpNow,
    ...(deps.onRosterChanged ? { onEnrolled: deps.onRosterChanged } : {}),
  });
  const names = [...new Set([...settings.serverNames, deps.config.hostname ?? hostname(), 'localhost', '127.0.0.1'])];
  const server = await startAgentServer({
    ca,
    service,
    agents,
    log: deps.log,
    host: settings.host,
    port: settings.port,
    serverNames: names,
    limits: {
      maxConnectionsPerAgent: settings.maxConnectionsPerAgent,
      maxConcurrentStreams: 16,
      requestsPerMinutePerAgent: settings.requestsPerMinutePerAgent,
      requestBurstPerAgent: settings.requestBurstPerAgent,
      idleTimeoutMs: 5 * 60_000,
    },
  });
  // Results stored before a crash or restart and not yet written are written now.
  pumpNow();
  return {
    port: server.port,
    agentConfig,
    agents,
    service,
    pump,
    /** Stops the server, then lets a running evidence pass finish before the store closes. */
    async close(): Promise<void> {
      await server.close();
      await pump?.flush().catch(() => undefined);
    },
  };
}
