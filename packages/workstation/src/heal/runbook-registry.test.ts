import { AGENT_RUNBOOKS, type AgentRunbookEntry, checkById, WORKSTATION_CHECKS } from '@osiris/protocol';
import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { describe, expect, it } from 'vitest';
import { CHECK_CAPABILITIES } from '../checks/registry';
import type { AgentOs } from '../checks/check';
import { RUNBOOKS } from './runbook-registry';

const TIERS: Record<number, AgentRunbookEntry['tier']> = {
  [CapabilityTier.SELF_HEAL]: 'self_heal',
  [CapabilityTier.FULL_REMEDIATION]: 'full_remediation',
};
const OSES: readonly AgentOs[] = ['windows', 'macos', 'linux'];

/** The catalog id the appliance gives an agent check on `os` (snake_case → kebab-case). */
const catalogId = (os: AgentOs, checkId: string) => `${os}.workstation.${checkId.replace(/_/g, '-')}`;

/** The registry as the protocol table describes it: one entry per (runbook, OS it has a step for). */
function tableFromRegistry(): Record<string, AgentRunbookEntry> {
  const table: Record<string, AgentRunbookEntry> = {};
  for (const runbook of RUNBOOKS.values()) {
    for (const os of OSES) {
      if (!runbook.steps[os]) continue;
      const id = catalogId(os, runbook.checkId);
      expect(table[id], `two runbooks for ${id}`).toBeUndefined();
      table[id] = { runbookId: runbook.id, os, tier: TIERS[runbook.tier] ?? 'full_remediation' };
    }
  }
  return table;
}

describe('agent runbook registry and the protocol table', () => {
  it('matches AGENT_RUNBOOKS exactly: ids, OS steps and tiers', () => {
    expect(tableFromRegistry()).toEqual({ ...AGENT_RUNBOOKS });
  });

  it('gives every table entry a runbook with a step for its OS and the same tier', () => {
    for (const [checkId, entry] of Object.entries(AGENT_RUNBOOKS)) {
      const runbook = RUNBOOKS.get(entry.runbookId);
      expect(runbook, entry.runbookId).toBeDefined();
      expect(runbook?.steps[entry.os], `${entry.runbookId} on ${entry.os}`).toBeDefined();
      expect(TIERS[runbook?.tier ?? -1]).toBe(entry.tier);
      expect(catalogId(entry.os, runbook?.checkId ?? ''), entry.runbookId).toBe(checkId);
    }
  });

  it('repairs only checks the agent runs on that OS, marked healable in the catalog', () => {
    for (const runbook of RUNBOOKS.values()) {
      const capability = CHECK_CAPABILITIES.find((c) => c.id === runbook.checkId);
      expect(capability, runbook.id).toBeDefined();
      for (const os of OSES) {
        if (!runbook.steps[os]) continue;
        expect(capability?.platforms[os], `${runbook.id} on ${os}`).toBeDefined();
        expect(checkById(catalogId(os, runbook.checkId))?.healable, runbook.id).toBe(true);
      }
    }
    const healable = WORKSTATION_CHECKS.filter((check) => check.healable).length;
    expect(Object.keys(tableFromRegistry())).toHaveLength(healable);
  });
});
