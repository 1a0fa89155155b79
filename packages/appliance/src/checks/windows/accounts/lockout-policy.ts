import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput } from '../powershell';
import { policyInteger, policyObserved, SECURITY_POLICY_COLLECTOR, SecurityPolicy } from './security-policy';

const ID = 'windows.accounts.lockout-policy';
const MAX_THRESHOLD = 5;
const MIN_MINUTES = 15;

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, SecurityPolicy);
  if (!parsed.ok) return parsed.error;
  const policy = parsed.data;
  const observed = policyObserved(policy, ['LockoutBadCount', 'LockoutDuration', 'ResetLockoutCount']);
  const threshold = policyInteger(policy, 'LockoutBadCount');
  if (typeof threshold !== 'number')
    return errorEvaluation('secedit did not report LockoutBadCount as a number.', observed);
  if (threshold === 0) {
    return {
      status: 'fail',
      reason: 'The account lockout threshold is 0, so accounts never lock after failed log-ins.',
      observed,
    };
  }
  // secedit leaves out the duration and reset keys when the threshold is 0; with a threshold they must be numbers.
  const duration = policyInteger(policy, 'LockoutDuration');
  const reset = policyInteger(policy, 'ResetLockoutCount');
  if (typeof duration !== 'number' || typeof reset !== 'number') {
    return errorEvaluation(
      'secedit reported a lockout threshold without a numeric duration and reset window.',
      observed,
    );
  }
  const found: string[] = [];
  if (threshold > MAX_THRESHOLD) found.push(`threshold is ${threshold} attempts (limit ${MAX_THRESHOLD})`);
  if (duration !== -1 && duration < MIN_MINUTES) found.push(`lockout lasts ${duration} minutes (needs ${MIN_MINUTES})`);
  if (reset < MIN_MINUTES) found.push(`the failure counter resets after ${reset} minutes (needs ${MIN_MINUTES})`);
  if (found.length > 0)
    return { status: 'fail', reason: `The account lockout policy is too lenient: ${found.join('; ')}.`, observed };
  const lasts = duration === -1 ? 'until an administrator unlocks them' : `for ${duration} minutes`;
  return { status: 'pass', reason: `Accounts lock ${lasts} after ${threshold} failed log-ins.`, observed };
}

export const lockoutPolicy: WindowsCheck = { id: ID, collector: SECURITY_POLICY_COLLECTOR, evaluate };
