import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';
import { accountsPhrase, readShadowAccounts, SHADOW_ACCOUNTS_SH } from './shadow-accounts';

const ID = 'linux.accounts.inactive-lock';
const MAX_INACTIVE_DAYS = 30;

/** `useradd -D` is read-only and reports the effective default; /etc/default/useradd is the fallback. */
const COLLECTOR = shScript(`
if command -v useradd >/dev/null 2>&1; then
  v=$(useradd -D 2>/dev/null | sed -n 's/^INACTIVE=//p')
  echo "default_source=useradd-D"
elif [ -r /etc/default/useradd ]; then
  v=$(sed -n 's/^INACTIVE=//p' /etc/default/useradd | tail -n 1)
  echo "default_source=/etc/default/useradd"
else
  v=
  echo "default_source=none"
fi
echo "default_inactive=$v"
${SHADOW_ACCOUNTS_SH}
`);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const shadow = readShadowAccounts(kv);
  if (!shadow.ok) return errorEvaluation(shadow.reason);
  const source = kv.first('default_source');
  const rawDefault = kv.first('default_inactive');
  if (source === undefined || rawDefault === undefined) {
    return errorEvaluation('The collector output lacks the useradd INACTIVE default.');
  }
  // useradd's own default is -1 (never lock) when nothing is configured.
  const defaultInactive = rawDefault === '' ? -1 : parseInteger(rawDefault);
  if (defaultInactive === undefined) {
    return errorEvaluation(`The useradd INACTIVE default "${rawDefault.slice(0, 40)}" is not a number.`);
  }
  const badAccounts = shadow.accounts.filter(
    (a) => a.inactiveDays === null || a.inactiveDays < 0 || a.inactiveDays > MAX_INACTIVE_DAYS,
  );
  const observed: Record<string, JsonValue> = {
    defaultInactive,
    defaultSource: source,
    accountsWithPassword: shadow.total,
    accountsWithoutLimit: capList(badAccounts.map((a) => ({ name: a.name, inactiveDays: a.inactiveDays }))),
  };
  const problems: string[] = [];
  if (defaultInactive < 0 || defaultInactive > MAX_INACTIVE_DAYS) {
    problems.push(`the useradd default INACTIVE is ${defaultInactive}`);
  }
  if (badAccounts.length > 0) {
    problems.push(
      `accounts ${describeList(badAccounts.map((a) => a.name))} have no inactivity lock of ${MAX_INACTIVE_DAYS} days or less`,
    );
  }
  if (problems.length > 0) {
    return { status: 'fail', reason: `Unused accounts do not lock themselves: ${problems.join('; ')}.`, observed };
  }
  return {
    status: 'pass',
    reason: `New accounts${accountsPhrase(shadow.total)} lock after at most ${MAX_INACTIVE_DAYS} days of an expired password.`,
    observed,
  };
}

export const inactiveLockCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
