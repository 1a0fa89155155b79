import { requestAgentCheckRuns } from '../agents/agent-check-runs';
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
  evidence?: Parameters<typeof startAgentEndpoint>[0]['evidence'];
  onRosterChanged?: () => void;
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
    /** The agents' tier and config (null when the agent endpoint is disabled). */
    agentConfig: agentEndpoint?.agentConfig ?? null,
    /** A `run_checks_now` order for the agents: how many were asked (0 when the endpoint is disabled). */
    requestAgentCheckRuns(filter: { checkIds?: readonly string[]; hostIds?: readonly string[] }): number {
      if (!agentEndpoint) return 0;
      const { agents, service } = agentEndpoint;
      return requestAgentCheckRuns(
        { agents: () => agents.listAgents(), requestCheckRun: (id, checks) => service.requestCheckRun(id, checks) },
        filter,
      );
    },
    async close(): Promise<void> {
      await Promise.all([statusPage?.close(), agentEndpoint?.close()]);
    },
  };
}
