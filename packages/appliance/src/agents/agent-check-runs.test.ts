import { describe, expect, it } from 'vitest';
import { requestAgentCheckRuns } from './agent-check-runs';
import type { AgentRow } from './agents.store';

const agent = (agentId: string, osFamily: string, revokedAt: string | null = null): AgentRow => ({
  agentId,
  siteId: 'site',
  hostname: agentId,
  osFamily,
  machineId: agentId,
  agentVersion: '0.1.0',
  factsJson: '{}',
  enrolledAt: '2026-12-01T00:00:00Z',
  lastHeartbeatAt: null,
  clockSkewMs: null,
  configVersion: 1,
  droppedResultsTotal: 0,
  revokedAt,
});

function run(filter: Parameters<typeof requestAgentCheckRuns>[1]) {
  const requests: [string, string[]][] = [];
  const count = requestAgentCheckRuns(
    {
      agents: () => [agent('lin', 'LINUX'), agent('win', 'WINDOWS'), agent('old', 'LINUX', '2026-11-01T00:00:00Z')],
      requestCheckRun: (agentId, checkIds) => {
        requests.push([agentId, checkIds]);
        return 'run';
      },
    },
    filter,
  );
  return { count, requests };
}

describe('run_checks_now for agents', () => {
  it('asks every active agent for all its checks when the order has no filters', () => {
    expect(run({})).toEqual({
      count: 2,
      requests: [
        ['lin', []],
        ['win', []],
      ],
    });
  });

  it('translates catalog check ids to the agent ids of its OS and skips agents the order does not name', () => {
    expect(run({ checkIds: ['linux.workstation.disk-encryption', 'linux.ssh.permit-root-login'] })).toEqual({
      count: 1,
      requests: [['lin', ['disk_encryption']]],
    });
    expect(run({ hostIds: ['win'], checkIds: ['windows.workstation.firewall'] }).requests).toEqual([
      ['win', ['firewall']],
    ]);
    expect(run({ hostIds: ['old'] }).count).toBe(0);
    expect(run({ checkIds: ['linux.kernel.aslr'] }).count).toBe(0);
  });
});
