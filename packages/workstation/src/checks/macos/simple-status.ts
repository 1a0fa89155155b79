import { commandProblem, evaluation, type PlatformCheck, single } from '../check';

/**
 * A macOS check whose command prints one status sentence: PASS when `pass` matches, FAIL when
 * `fail` matches, ERROR otherwise (unknown wording is never guessed).
 */
export function statusLineCheck(spec: {
  name: string;
  file: string;
  args: readonly string[];
  expected: string;
  pass: RegExp;
  fail: RegExp;
  /** Where the tool prints its answer (sysadminctl writes to stderr). */
  stream?: 'stdout' | 'stderr';
}): PlatformCheck {
  return {
    collect: single(spec.name, spec.file, spec.args),
    evaluate(collected) {
      const output = collected[spec.name];
      const problem = commandProblem(output, spec.file, spec.expected);
      if (problem) return problem;
      const text = (spec.stream === 'stderr' ? output?.stderr : output?.stdout)?.trim() ?? '';
      const line = text.split('\n').find((l) => spec.pass.test(l) || spec.fail.test(l)) ?? text.slice(0, 200);
      const observed = { [spec.name]: line.slice(0, 256) };
      if (spec.pass.test(line)) return evaluation('PASS', spec.expected, line, observed);
      if (spec.fail.test(line)) return evaluation('FAIL', spec.expected, line, observed);
      return {
        ...evaluation('ERROR', spec.expected, `unrecognised output: ${line.slice(0, 200)}`, observed),
        error: { code: 'UNPARSEABLE_OUTPUT', message: `${spec.file} printed unrecognised output` },
      };
    },
  };
}
