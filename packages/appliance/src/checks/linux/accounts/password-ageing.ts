import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';
import { accountsPhrase, readShadowAccounts, SHADOW_ACCOUNTS_SH } from './shadow-accounts';

const ID = 'linux.accounts.password-ageing';
const MAX_DAYS = 90;
const MIN_DAYS = 1;
const WARN_DAYS = 7;

/** login.defs: the last uncommented setting wins, as in shadow-utils. */
const COLLECTOR = shScript(`
if [ -r /etc/login.defs ]; then
  echo login_defs=ok
  awk '$1 ~ /^PASS_(MAX_DAYS|MIN_DAYS|WARN_AGE)$/ { v[$1] = $2 }
    END { for (k in v) print tolower(k) "=" v[k] }' /etc/login.defs
else
  echo login_defs=missing
fi
${SHADOW_ACCOUNTS_SH}
`);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const shadow = readShadowAccounts(kv);
  if (!shadow.ok) return errorEvaluation(shadow.reason);
  const defsState = kv.first('login_defs');
  if (defsState !== 'ok' && defsState !== 'missing') {
    return errorEvaluation('The collector output does not say whether /etc/login.defs was read.');
  }
  const defs = {
    maxDays: parseInteger(kv.first('pass_max_days')) ?? null,
    minDays: parseInteger(kv.first('pass_min_days')) ?? null,
    warnDays: parseInteger(kv.first('pass_warn_age')) ?? null,
  };
  const problems: string[] = [];
  if (defs.maxDays === null || defs.maxDays > MAX_DAYS) problems.push(`PASS_MAX_DAYS is ${defs.maxDays ?? 'unset'}`);
  if (defs.minDays === null || defs.minDays < MIN_DAYS) problems.push(`PASS_MIN_DAYS is ${defs.minDays ?? 'unset'}`);
  if (defs.warnDays === null || defs.warnDays < WARN_DAYS)
    problems.push(`PASS_WARN_AGE is ${defs.warnDays ?? 'unset'}`);
  const badAccounts = shadow.accounts.filter(
    (a) =>
      a.maxDays === null ||
      a.maxDays > MAX_DAYS ||
      a.minDays === null ||
      a.minDays < MIN_DAYS ||
      a.warnDays === null ||
      a.warnDays < WARN_DAYS,
  );
  const observed: Record<string, JsonValue> = {
    loginDefs: defsState === 'ok' ? defs : 'missing',
    accountsWithPassword: shadow.total,
    accountsOutsideLimits: capList(
      badAccounts.map((a) => ({ name: a.name, maxDays: a.maxDays, minDays: a.minDays, warnDays: a.warnDays })),
    ),
  };
  if (badAccounts.length > 0) {
    problems.push(`accounts ${describeList(badAccounts.map((a) => a.name))} have weaker ageing in /etc/shadow`);
  }
  if (problems.length > 0) {
    return { status: 'fail', reason: `Password ageing is too weak: ${problems.join('; ')}.`, observed };
  }
  return {
    status: 'pass',
    reason: `login.defs${accountsPhrase(shadow.total)} enforce at most ${MAX_DAYS} days, at least ${MIN_DAYS} day and a ${WARN_DAYS}-day warning.`,
    observed,
  };
}

export const passwordAgeingCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
