import { checkById } from './catalog';
import type { AgentOs } from './workstations';

/** The lowest agent tier allowed to run a runbook (the site's agent tier must be at least this). */
export type AgentRunbookTier = 'self_heal' | 'full_remediation';

export interface AgentRunbookEntry {
  /** The runbook id the agent knows (its RUNBOOKS registry). */
  runbookId: string;
  os: AgentOs;
  tier: AgentRunbookTier;
}

/**
 * Which agent runbook repairs each workstation check, by catalog check id
 * (`<os>.workstation.<check>`): the appliance queues it as a heal command when the check fails.
 * Kept equal to the agent's own registry by a test in packages/workstation; a check is `healable`
 * in the catalog exactly when it has an entry here.
 */
export const AGENT_RUNBOOKS: Readonly<Record<string, Readonly<AgentRunbookEntry>>> = Object.freeze({
  'windows.workstation.firewall': Object.freeze({ runbookId: 'RB-WIN-SEC-001', os: 'windows', tier: 'self_heal' }),
  'windows.workstation.antivirus': Object.freeze({ runbookId: 'RB-WIN-SEC-006', os: 'windows', tier: 'self_heal' }),
  'windows.workstation.screen-lock': Object.freeze({ runbookId: 'RB-WIN-LOCK-001', os: 'windows', tier: 'self_heal' }),
  'windows.workstation.disk-encryption': Object.freeze({
    runbookId: 'RB-WIN-SEC-005',
    os: 'windows',
    tier: 'full_remediation',
  }),
  'macos.workstation.firewall': Object.freeze({ runbookId: 'RB-MAC-FW-001', os: 'macos', tier: 'self_heal' }),
  'macos.workstation.antivirus': Object.freeze({ runbookId: 'RB-MAC-GK-001', os: 'macos', tier: 'self_heal' }),
  'linux.workstation.firewall': Object.freeze({ runbookId: 'LIN-FW-001', os: 'linux', tier: 'self_heal' }),
  'linux.workstation.ssh-server': Object.freeze({ runbookId: 'LIN-SSH-001', os: 'linux', tier: 'self_heal' }),
} satisfies Record<string, AgentRunbookEntry>);

/**
 * The agent runbook for a workstation check on `os`, or null: none exists, the catalog does not
 * mark the check healable, or the entry is for another OS.
 */
export function agentRunbookFor(checkId: string, os: string): Readonly<AgentRunbookEntry> | null {
  const entry = Object.hasOwn(AGENT_RUNBOOKS, checkId) ? AGENT_RUNBOOKS[checkId] : undefined;
  if (!entry || entry.os !== os || checkById(checkId)?.healable !== true) return null;
  return entry;
}
