import type { CollectorOutput, Evaluation, LinuxCheck } from '../../check';
import { errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';
import { confCollectorSh, lastConfValue, pamCollectorSh, readPamLines } from './pam-stack';

const ID = 'linux.accounts.password-quality';
const MIN_LENGTH = 14;
/** libpwquality's built-in minlen when neither the module nor pwquality.conf sets one. */
const PWQUALITY_DEFAULT_MINLEN = 8;

const COLLECTOR = shScript(`
${pamCollectorSh('^pam_pwquality[.]so$', ['pam_pwquality.so'])}
${confCollectorSh('/etc/security/pwquality.conf /etc/security/pwquality.conf.d/*.conf', ['minlen'])}
`);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const stacks = kv.all('pam_stack');
  const lines = readPamLines(kv);
  if (lines === undefined) return errorEvaluation('A PAM line in the collector output has an unexpected shape.');
  if (stacks.length === 0) {
    return errorEvaluation('No shared PAM password stack (common-password or system-auth) was found on the host.');
  }
  const isInstalled = kv.all('module_installed').includes('pam_pwquality.so');
  const passwordLines = lines.filter((line) => line.type === 'password');
  const conf = lastConfValue(kv, 'minlen');
  const observed = {
    pamStacks: stacks,
    pwqualityLines: passwordLines.map((line) => `${line.file}: ${line.control} ${line.module} ${line.rawArgs}`.trim()),
    isModuleInstalled: isInstalled,
    confMinlen: conf ? `${conf.file}: ${conf.value}` : null,
  };
  if (passwordLines.length === 0) {
    return {
      status: 'fail',
      reason: 'pam_pwquality is not in the PAM password stack, so password length is not enforced.',
      observed,
    };
  }
  if (!isInstalled) {
    return {
      status: 'fail',
      reason: 'The PAM password stack names pam_pwquality but the module is not installed.',
      observed,
    };
  }
  // A module argument overrides pwquality.conf; the strictest line in the stack counts.
  const fromArgs = passwordLines
    .map((line) => parseInteger(line.args.get('minlen')))
    .filter((n): n is number => n !== undefined);
  const minlen = fromArgs.length > 0 ? Math.max(...fromArgs) : (parseInteger(conf?.value) ?? PWQUALITY_DEFAULT_MINLEN);
  const source = fromArgs.length > 0 ? 'module argument' : conf ? conf.file : 'libpwquality default';
  const result = { ...observed, effectiveMinlen: minlen, minlenSource: source };
  if (minlen < MIN_LENGTH) {
    return {
      status: 'fail',
      reason: `New passwords need only ${minlen} characters (${source}); ${MIN_LENGTH} are required.`,
      observed: result,
    };
  }
  return {
    status: 'pass',
    reason: `pam_pwquality requires at least ${minlen} characters (${source}).`,
    observed: result,
  };
}

export const passwordQualityCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
