import { startAgentEndpoint } from '../agents/start-agents';
import type { ApplianceConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { StatusSnapshot } from '../ui/status-html';
import { startStatusPage } from '../ui/status-page';

/** The daemon's listening servers: the local status page and the workstation agent endpoint, each when enabled. */
export async function startLocalServers(deps: {
  config: ApplianceConfig;
  store: Store;
  siteId: string;
  log: Logger;
  status: () => StatusSnapshot;
}) {
  const { config } = deps;
  const statusPage = config.statusPage.enabled
    ? await startStatusPage({ host: config.statusPage.host, port: config.statusPage.port, status: deps.status })
    : null;
  let agentEndpoint: Awaited<ReturnType<typeof startAgentEndpoint>>;
  try {
    agentEndpoint = await startAgentEndpoint(deps);
  } catch (error) {
    await statusPage?.close();
    throw error;
  }
  return {
    statusUrl: statusPage?.url ?? null,
    agentPort: agentEndpoint?.port ?? null,
    async close(): Promise<void> {
      await Promise.all([statusPage?.close(), agentEndpoint?.close()]);
    },
  };
}
