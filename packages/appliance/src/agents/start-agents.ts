import { hostname } from 'node:os';
import type { ApplianceConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import { createAgentConfigSource } from './agent-config';
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
export async function startAgentEndpoint(deps: { config: ApplianceConfig; store: Store; siteId: string; log: Logger }) {
  const settings = deps.config.agents;
  if (!settings.enabled) return null;
  const ca = await loadOrCreateSiteCa(deps.config.dataDir, { siteId: deps.siteId });
  const agents = createAgentsStore(deps.store.db);
  const service = createAgentService({
    siteId: deps.siteId,
    ca,
    agents,
    results: createAgentResultsStore(deps.store.db),
    config: createAgentConfigSource({
      store: deps.store,
      base: {
        tier: settings.tier,
        heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds,
        resultsIntervalSeconds: settings.resultsIntervalSeconds,
        checks: settings.checks,
      },
    }),
    clientCertificateValidityMs: settings.clientCertificateDays * DAY_MS,
    log: deps.log,
  });
  const names = [...new Set([...settings.serverNames, deps.config.hostname ?? hostname(), 'localhost', '127.0.0.1'])];
  return startAgentServer({
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
}
