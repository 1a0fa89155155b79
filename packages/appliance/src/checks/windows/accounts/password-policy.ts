import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput } from '../powershell';
import { policyInteger, policyObserved, SECURITY_POLICY_COLLECTOR, SecurityPolicy } from './security-policy';

const ID = 'windows.accounts.password-policy';
const REQUIRED = [
  'MinimumPasswordLength',
  'PasswordComplexity',
  'PasswordHistorySize',
  'MinimumPasswordAge',
  'MaximumPasswordAge',
];

/** Problems with the password settings, each as a short phrase. */
function problems(get: (key: string) => number): string[] {
  const found: string[] = [];
  const length = get('MinimumPasswordLength');
  if (length < 14) found.push(`minimum length is ${length} (needs 14)`);
  if (get('PasswordComplexity') !== 1) found.push('complexity is off');
  const history = get('PasswordHistorySize');
  if (history < 12) found.push(`history keeps ${history} passwords (needs 12)`);
  const minAge = get('MinimumPasswordAge');
  if (minAge < 1) found.push('minimum age is 0 days');
  // secedit prints -1 (and net accounts "Unlimited") when passwords never expire.
  const maxAge = get('MaximumPasswordAge');
  if (maxAge <= 0) found.push('passwords never expire');
  else if (maxAge > 365) found.push(`maximum age is ${maxAge} days (limit 365)`);
  if (get('ClearTextPassword') === 1) found.push('passwords are stored with reversible encryption');
  return found;
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, SecurityPolicy);
  if (!parsed.ok) return parsed.error;
  const policy = parsed.data;
  const observed = policyObserved(policy, [...REQUIRED, 'ClearTextPassword']);
  const unreadable = REQUIRED.filter((key) => typeof policyInteger(policy, key) !== 'number');
  if (unreadable.length > 0) {
    return errorEvaluation(`secedit did not report ${unreadable.join(', ')} as a number.`, observed);
  }
  // ClearTextPassword is absent on some exports; Windows' default is 0 (off).
  const found = problems((key) => policyInteger(policy, key) ?? 0);
  if (found.length > 0)
    return { status: 'fail', reason: `The password policy is too weak: ${found.join('; ')}.`, observed };
  return {
    status: 'pass',
    reason: `Passwords need ${observed.MinimumPasswordLength}+ characters with complexity, a history of ${observed.PasswordHistorySize} and expire after ${observed.MaximumPasswordAge} days.`,
    observed,
  };
}

export const passwordPolicy: WindowsCheck = { id: ID, collector: SECURITY_POLICY_COLLECTOR, evaluate };
