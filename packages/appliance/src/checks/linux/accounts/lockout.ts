import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';
import { confCollectorSh, lastConfValue, type PamLine, pamCollectorSh, readPamLines } from './pam-stack';

const ID = 'linux.accounts.lockout';
const MAX_DENY = 5;
const MIN_UNLOCK_SECONDS = 900;
/** pam_faillock's built-in values when neither the module line nor faillock.conf sets them. */
const FAILLOCK_DEFAULT_DENY = 3;
const FAILLOCK_DEFAULT_UNLOCK_SECONDS = 600;

const COLLECTOR = shScript(`
${pamCollectorSh('^pam_(faillock|tally2)[.]so$', ['pam_faillock.so', 'pam_tally2.so'])}
${confCollectorSh('/etc/security/faillock.conf', ['deny', 'unlock_time'])}
`);

interface Setting {
  value: number | null;
  source: string;
}

/** The most lenient value among the auth lines (a weak line is not hidden by a strict one), else faillock.conf, else the module default. */
function setting(
  lines: PamLine[],
  key: string,
  pick: (values: number[]) => number,
  conf: { file: string; value: string } | undefined,
  fallback: number | null,
): Setting {
  const fromArgs = lines.map((l) => parseInteger(l.args.get(key))).filter((n): n is number => n !== undefined);
  if (fromArgs.length > 0) return { value: pick(fromArgs), source: 'module argument' };
  const fromConf = parseInteger(conf?.value);
  if (fromConf !== undefined && conf) return { value: fromConf, source: conf.file };
  return { value: fallback, source: 'module default' };
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const lines = readPamLines(kv);
  if (lines === undefined) return errorEvaluation('A PAM line in the collector output has an unexpected shape.');
  const stacks = kv.all('pam_stack');
  if (stacks.length === 0) {
    return errorEvaluation('No shared PAM authentication stack (common-auth or system-auth) was found on the host.');
  }
  const installed = kv.all('module_installed');
  const auth = lines.filter((l) => l.type === 'auth');
  const faillock = auth.filter((l) => l.module === 'pam_faillock.so');
  const tally2 = auth.filter((l) => l.module === 'pam_tally2.so');
  const observed: Record<string, JsonValue> = {
    pamStacks: stacks,
    lockoutLines: lines.map((l) => `${l.file}: ${l.type} ${l.control} ${l.module} ${l.rawArgs}`.trim()),
    modulesInstalled: installed,
  };
  const module = faillock.length > 0 ? 'pam_faillock.so' : tally2.length > 0 ? 'pam_tally2.so' : null;
  if (module === null) {
    return {
      status: 'fail',
      reason: 'Neither pam_faillock nor pam_tally2 is in the PAM auth stack, so failed log-ins never lock an account.',
      observed,
    };
  }
  if (!installed.includes(module)) {
    return { status: 'fail', reason: `The PAM auth stack names ${module} but the module is not installed.`, observed };
  }
  const isFaillock = module === 'pam_faillock.so';
  const used = isFaillock ? faillock : tally2;
  const deny = setting(
    used,
    'deny',
    (v) => Math.max(...v),
    isFaillock ? lastConfValue(kv, 'deny') : undefined,
    isFaillock ? FAILLOCK_DEFAULT_DENY : null,
  );
  // unlock_time 0 (or none for pam_tally2) keeps the account locked until an administrator unlocks it.
  const unlock = setting(
    used,
    'unlock_time',
    (v) => Math.min(...v.map((n) => (n === 0 ? Number.MAX_SAFE_INTEGER : n))),
    isFaillock ? lastConfValue(kv, 'unlock_time') : undefined,
    isFaillock ? FAILLOCK_DEFAULT_UNLOCK_SECONDS : 0,
  );
  const unlockSeconds = unlock.value === Number.MAX_SAFE_INTEGER ? 0 : unlock.value;
  Object.assign(observed, {
    module,
    deny: deny.value,
    denySource: deny.source,
    unlockTimeSeconds: unlockSeconds,
    unlockTimeSource: unlock.source,
  });
  const problems: string[] = [];
  if (deny.value === null || deny.value < 1 || deny.value > MAX_DENY) {
    problems.push(deny.value === null ? 'no deny limit is set' : `deny is ${deny.value} (${deny.source})`);
  }
  if (unlockSeconds !== null && unlockSeconds !== 0 && unlockSeconds < MIN_UNLOCK_SECONDS) {
    problems.push(`unlock_time is ${unlockSeconds} seconds (${unlock.source})`);
  }
  if (problems.length > 0) {
    return {
      status: 'fail',
      reason: `${module} does not stop password guessing well enough: ${problems.join('; ')}.`,
      observed,
    };
  }
  const lockFor = unlockSeconds === 0 ? 'until an administrator unlocks them' : `for ${unlockSeconds} seconds`;
  return {
    status: 'pass',
    reason: `${module} locks accounts ${lockFor} after ${deny.value} failed log-ins.`,
    observed,
  };
}

export const lockoutCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
