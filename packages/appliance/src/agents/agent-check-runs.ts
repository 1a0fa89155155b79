import type { AgentRow } from './agents.store';
import { workstationCheckId } from './agent-evidence';

/**
 * A `run_checks_now` order reaches workstation agents too: each active agent the order's filters
 * select gets an on-demand check run (delivered with its next heartbeat). Host ids are agent ids;
 * check ids are catalog ids (`linux.workstation.firewall`), translated back to the agent's own ids
 * for its OS. An order naming only non-agent checks or hosts asks no agent for anything.
 */
export function requestAgentCheckRuns(
  deps: {
    agents: () => readonly AgentRow[];
    requestCheckRun: (agentId: string, checkIds: string[]) => string;
  },
  filter: { checkIds?: readonly string[] | undefined; hostIds?: readonly string[] | undefined },
): number {
  let requested = 0;
  for (const agent of deps.agents()) {
    if (agent.revokedAt) continue;
    if (filter.hostIds && !filter.hostIds.includes(agent.agentId)) continue;
    let checkIds: string[] = [];
    if (filter.checkIds) {
      const prefix = workstationCheckId(agent.osFamily, 'x')?.slice(0, -1);
      if (!prefix) continue;
      checkIds = filter.checkIds
        .filter((id) => id.startsWith(prefix))
        .map((id) => id.slice(prefix.length).replaceAll('-', '_'));
      if (checkIds.length === 0) continue;
    }
    deps.requestCheckRun(agent.agentId, checkIds);
    requested++;
  }
  return requested;
}
