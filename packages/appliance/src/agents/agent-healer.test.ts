import { LINUX_CHECKS, WINDOWS_CHECKS, WORKSTATION_CHECKS } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { LINUX_CHECK_IMPLEMENTATIONS } from '../checks/linux';
import { WINDOWS_CHECK_IMPLEMENTATIONS } from '../checks/windows';
import { builtinPack } from '../healing/l1/packs';
import { AGENT_HEAL_ATTEMPTS_PER_INCIDENT, type AgentHealFacts, decideAgentHeal } from './agent-healer';

const failing: AgentHealFacts = {
  checkId: 'linux.workstation.firewall',
  os: 'linux',
  status: 'fail',
  isIncidentOpen: true,
  siteTier: 'self_heal',
  hasPendingCommand: false,
  attemptsMade: 0,
};

describe('deciding on an agent heal command', () => {
  it('queues the OS runbook for a failing healable check at a tier that allows it', () => {
    expect(decideAgentHeal(failing)).toEqual({ kind: 'queue', runbookId: 'LIN-FW-001', requiredTier: 'self_heal' });
    expect(decideAgentHeal({ ...failing, checkId: 'windows.workstation.firewall', os: 'windows' })).toEqual({
      kind: 'queue',
      runbookId: 'RB-WIN-SEC-001',
      requiredTier: 'self_heal',
    });
  });

  it('queues nothing at monitor_only, and a full-remediation runbook only at full_remediation', () => {
    expect(decideAgentHeal({ ...failing, siteTier: 'monitor_only' })).toEqual({
      kind: 'skip',
      reason: 'tier_not_allowed',
    });
    const bitlocker = { ...failing, checkId: 'windows.workstation.disk-encryption', os: 'windows' };
    expect(decideAgentHeal(bitlocker)).toEqual({ kind: 'skip', reason: 'tier_not_allowed' });
    expect(decideAgentHeal({ ...bitlocker, siteTier: 'full_remediation' })).toEqual({
      kind: 'queue',
      runbookId: 'RB-WIN-SEC-005',
      requiredTier: 'full_remediation',
    });
  });

  it('never heals an excepted, erroring or passing result, or a closed incident', () => {
    for (const status of ['excepted', 'error', 'pass'] as const)
      expect(decideAgentHeal({ ...failing, status })).toEqual({ kind: 'skip', reason: 'not_failing' });
    expect(decideAgentHeal({ ...failing, isIncidentOpen: false })).toEqual({ kind: 'skip', reason: 'not_open' });
  });

  it('skips checks without a runbook for the OS and checks the catalog does not call healable', () => {
    expect(decideAgentHeal({ ...failing, checkId: 'linux.workstation.os-updates' })).toEqual({
      kind: 'skip',
      reason: 'not_healable',
    });
    expect(decideAgentHeal({ ...failing, os: 'macos' })).toEqual({ kind: 'skip', reason: 'no_runbook' });
    expect(decideAgentHeal({ ...failing, checkId: 'linux.firewall.default-deny-input' })).toEqual({
      kind: 'skip',
      reason: 'no_runbook',
    });
    expect(decideAgentHeal({ ...failing, checkId: 'linux.workstation.no-such-check' })).toEqual({
      kind: 'skip',
      reason: 'not_healable',
    });
  });

  it('waits for a pending command and stops after the retry budget', () => {
    expect(decideAgentHeal({ ...failing, hasPendingCommand: true })).toEqual({ kind: 'skip', reason: 'pending' });
    expect(decideAgentHeal({ ...failing, attemptsMade: AGENT_HEAL_ATTEMPTS_PER_INCIDENT - 1 }).kind).toBe('queue');
    expect(decideAgentHeal({ ...failing, attemptsMade: AGENT_HEAL_ATTEMPTS_PER_INCIDENT })).toEqual({
      kind: 'skip',
      reason: 'budget_spent',
    });
    expect(AGENT_HEAL_ATTEMPTS_PER_INCIDENT).toBe(3);
  });
});

describe('workstation checks on the appliance itself', () => {
  const workstationIds = new Set(WORKSTATION_CHECKS.map((check) => check.id));

  it('are never run by the appliance over SSH or WinRM: no implementation has a workstation id', () => {
    expect(workstationIds.size).toBeGreaterThan(0);
    for (const check of [...LINUX_CHECK_IMPLEMENTATIONS, ...WINDOWS_CHECK_IMPLEMENTATIONS]) {
      expect(check.id.includes('.workstation.'), check.id).toBe(false);
      expect(workstationIds.has(check.id), check.id).toBe(false);
    }
  });

  it('are not in the server check lists the daemon builds its L1 pack from', () => {
    for (const check of [...LINUX_CHECKS, ...WINDOWS_CHECKS])
      expect(workstationIds.has(check.id), check.id).toBe(false);
    const rules = builtinPack('full_coverage', [...LINUX_CHECKS, ...WINDOWS_CHECKS]);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.action.includes('.workstation.'), rule.id).toBe(false);
  });
});
