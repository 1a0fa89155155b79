import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput } from '../powershell';
import { POLICIES_SYSTEM_COLLECTOR, PoliciesSystem } from './policies-system';

const ID = 'windows.uac.enabled';

/** Unset ConsentPromptBehaviorAdmin and PromptOnSecureDesktop mean the Windows defaults (5 and 1): both fine. */
function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, PoliciesSystem);
  if (!parsed.ok) return parsed.error;
  const { enableLUA, consentPromptBehaviorAdmin, promptOnSecureDesktop } = parsed.data;
  const observed = { enableLUA, consentPromptBehaviorAdmin, promptOnSecureDesktop };
  const found: string[] = [];
  if (enableLUA !== 1) found.push(enableLUA === null ? 'EnableLUA is not set' : `EnableLUA is ${enableLUA}`);
  if (consentPromptBehaviorAdmin === 0) found.push('administrators are elevated without a prompt');
  if (promptOnSecureDesktop === 0) found.push('prompts are not shown on the secure desktop');
  if (found.length > 0)
    return { status: 'fail', reason: `User Account Control is weakened: ${found.join('; ')}.`, observed };
  return {
    status: 'pass',
    reason: 'User Account Control is on and prompts administrators on the secure desktop.',
    observed,
  };
}

export const uacEnabled: WindowsCheck = { id: ID, collector: POLICIES_SYSTEM_COLLECTOR, evaluate };
