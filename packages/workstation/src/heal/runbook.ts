import type { CapabilityTier } from '@osiris/protocol/agent-proto';
import type { AgentOs } from '../checks/check';

/** One program run for one OS. Steps take no parameters from the wire: nothing remote reaches a shell. */
export interface RunbookStep {
  file: string;
  args: readonly string[];
  /** Script text fed on stdin (e.g. to `sh -s`). */
  stdin?: string;
}

export interface Runbook {
  id: string;
  title: string;
  /** The check it remediates; it runs before and after the step. */
  checkId: string;
  /** The lowest tier allowed to run it: SELF_HEAL for safe steps, FULL_REMEDIATION for disruptive ones. */
  tier: CapabilityTier.SELF_HEAL | CapabilityTier.FULL_REMEDIATION;
  steps: Partial<Record<AgentOs, RunbookStep>>;
}

export const powerShellStep = (script: string): RunbookStep => ({
  file: 'powershell.exe',
  args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script],
});

export const shellStep = (script: string): RunbookStep => ({ file: 'sh', args: ['-s'], stdin: script });
