import { describe, expect, it } from 'vitest';
import { AGENT_RUNBOOKS, agentRunbookFor } from './agent-runbooks';
import { checkById, WORKSTATION_CHECKS } from './catalog';

describe('agent runbook table', () => {
  it('names only workstation catalog checks of its own OS', () => {
    for (const [checkId, entry] of Object.entries(AGENT_RUNBOOKS)) {
      const check = checkById(checkId);
      expect(check?.platform, checkId).toBe(entry.os);
      expect(checkId.startsWith(`${entry.os}.workstation.`), checkId).toBe(true);
    }
  });

  it('has an entry for exactly the healable workstation checks', () => {
    const healable = WORKSTATION_CHECKS.filter((check) => check.healable).map((check) => check.id);
    expect(Object.keys(AGENT_RUNBOOKS).sort()).toEqual(healable.sort());
  });

  it('uses each runbook id once and cannot be changed at run time', () => {
    const ids = Object.values(AGENT_RUNBOOKS).map((entry) => entry.runbookId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.isFrozen(AGENT_RUNBOOKS)).toBe(true);
    expect(Object.isFrozen(AGENT_RUNBOOKS['linux.workstation.firewall'])).toBe(true);
  });

  it('finds the runbook for a check and OS, and none for another OS or a check without one', () => {
    expect(agentRunbookFor('linux.workstation.firewall', 'linux')).toEqual({
      runbookId: 'LIN-FW-001',
      os: 'linux',
      tier: 'self_heal',
    });
    expect(agentRunbookFor('windows.workstation.disk-encryption', 'windows')?.tier).toBe('full_remediation');
    expect(agentRunbookFor('linux.workstation.firewall', 'windows')).toBeNull();
    expect(agentRunbookFor('linux.workstation.os-updates', 'linux')).toBeNull();
    expect(agentRunbookFor('toString', 'linux')).toBeNull();
  });
});
