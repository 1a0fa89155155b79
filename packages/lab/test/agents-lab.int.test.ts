import { describe, expect, it } from 'vitest';
import { runAgentsLab } from '../src/agents/run';

/**
 * Issue 9 acceptance, reduced for CI: 3 real agents on lab hosts, the appliance daemon killed for
 * 40 s with one agent restarted meanwhile; every result each agent produced reaches the appliance
 * and central exactly once, in order, with the agent's detection time. The full form (10 agents,
 * 10 minutes) is `npx osiris-lab agents --count 10 --outage-seconds 600`.
 */
describe('workstation agents through an appliance outage (lab)', () => {
  it('delivers every result exactly once, in order, with its detection time', async () => {
    const lines: string[] = [];
    const report = await runAgentsLab({
      agents: 3,
      outageSeconds: 40,
      restartAgents: 1,
      drainTimeoutSeconds: 90,
      backend: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite',
      progress: (line) => lines.push(line),
    });
    const { summary } = report;
    const context = JSON.stringify({ summary, perAgent: report.perAgent, progress: lines }, null, 2);
    expect(summary.agents, context).toBe(3);
    expect(summary.duplicates, context).toBe(0);
    expect(summary.missing, context).toBe(0);
    expect(summary.outOfOrder, context).toBe(0);
    expect(summary.detectionTimeMismatches, context).toBe(0);
    expect(summary.agentAnomalies, context).toBe(0);
    expect(summary.drainSeconds, context).not.toBeNull();
    expect(summary.restartedAgents, context).toBe(1);
    // Results were checked while the appliance was down, and the restarted agent added its own.
    expect(summary.producedDuringOutage, context).toBeGreaterThan(0);
    const restarted = report.perAgent.find((agent) => agent.starts === 2);
    expect(restarted?.producedDuringOutage, context).toBeGreaterThan(0);
    for (const agent of report.perAgent) {
      expect(agent.inCentral, context).toBeGreaterThan(0);
      expect(agent.onAppliance, context).toBe(agent.resultsProduced - agent.pendingAtSnapshot);
    }
    expect(summary.ok, context).toBe(true);
  }, 240_000);
});
