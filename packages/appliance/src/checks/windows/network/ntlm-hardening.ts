import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput } from '../powershell';
import { LSA_COLLECTOR, LsaSettings } from './lsa-settings';

const ID = 'windows.auth.ntlm-hardening';
const MIN_LEVEL = 3;

/** An unset value relies on the build's default; the check wants the setting stated explicitly. */
function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, LsaSettings);
  if (!parsed.ok) return parsed.error;
  const { lmCompatibilityLevel, noLMHash } = parsed.data;
  const observed = { lmCompatibilityLevel, noLMHash };
  const found: string[] = [];
  if (lmCompatibilityLevel === null) found.push('LmCompatibilityLevel is not set');
  else if (lmCompatibilityLevel < MIN_LEVEL)
    found.push(`LmCompatibilityLevel is ${lmCompatibilityLevel} (needs ${MIN_LEVEL} or more)`);
  if (noLMHash !== 1) found.push(noLMHash === null ? 'NoLMHash is not set' : `NoLMHash is ${noLMHash}`);
  if (found.length > 0)
    return { status: 'fail', reason: `LAN Manager authentication is not locked down: ${found.join('; ')}.`, observed };
  return {
    status: 'pass',
    reason: `Only NTLMv2 is sent (LmCompatibilityLevel ${lmCompatibilityLevel}) and LM hashes are not stored.`,
    observed,
  };
}

export const ntlmHardening: WindowsCheck = { id: ID, collector: LSA_COLLECTOR, evaluate };
