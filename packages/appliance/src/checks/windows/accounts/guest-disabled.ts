import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput } from '../powershell';
import { policyInteger, SECURITY_POLICY_COLLECTOR, SecurityPolicy } from './security-policy';

const ID = 'windows.accounts.guest-disabled';

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, SecurityPolicy);
  if (!parsed.ok) return parsed.error;
  const enabled = policyInteger(parsed.data, 'EnableGuestAccount');
  const name = parsed.data.systemAccess.NewGuestName?.replace(/^"|"$/g, '') ?? 'Guest';
  const observed = { EnableGuestAccount: enabled ?? null, guestAccountName: name };
  if (enabled !== 0 && enabled !== 1)
    return errorEvaluation('secedit did not report EnableGuestAccount as 0 or 1.', observed);
  if (enabled === 1) {
    return {
      status: 'fail',
      reason: `The built-in guest account (${name}) is enabled and allows anonymous sign-in.`,
      observed,
    };
  }
  return { status: 'pass', reason: `The built-in guest account (${name}) is disabled.`, observed };
}

export const guestDisabled: WindowsCheck = { id: ID, collector: SECURITY_POLICY_COLLECTOR, evaluate };
