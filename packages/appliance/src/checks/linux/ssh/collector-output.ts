/**
 * The output format shared by the ssh, network, services and logging collectors, and its parser.
 *
 * A collector prints `key=value` fact lines, then optional raw sections introduced by `### <name>`,
 * and always finishes with `### end`. The end marker is how an evaluator tells complete output from
 * output cut short (a killed script, a dropped SSH channel). A collector that cannot look prints
 * `error=<one line>` and exits non-zero.
 */
import type { CollectorOutput, Evaluation, JsonValue } from '../../check';
import { errorEvaluation } from '../../check';

/** Shell prelude for every collector: a predictable PATH (sbin is often missing for non-login shells) and C locale. */
export const SH_PRELUDE = `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
`;

export const END_MARKER = '### end';
const MAX_STDOUT_CHARS = 256 * 1024;
const MAX_LIST = 50;

export interface ParsedOutput {
  fields: ReadonlyMap<string, string>;
  sections: ReadonlyMap<string, readonly string[]>;
}

export type ParseResult = { ok: true; value: ParsedOutput } | { ok: false; evaluation: Evaluation };

export { errorEvaluation };

/** First `max` entries of a list, plus how many there were, so `observed` stays small. */
export function capList<T extends JsonValue>(items: readonly T[], max = MAX_LIST): { items: T[]; count: number } {
  return { items: items.slice(0, max), count: items.length };
}

function isCollectorOutput(output: unknown): output is CollectorOutput {
  if (typeof output !== 'object' || output === null) return false;
  const candidate = output as Record<string, unknown>;
  return typeof candidate.stdout === 'string' && Number.isInteger(candidate.exitCode);
}

const FIELD_LINE = /^([a-z0-9_.-]+)=(.*)$/;

/**
 * Validates and splits collector output. `what` names the check's subject for error reasons
 * ("the sshd configuration"). Never throws.
 */
export function parseCollectorOutput(output: unknown, what: string): ParseResult {
  const fail = (reason: string, observed: Record<string, JsonValue> = {}): ParseResult => ({
    ok: false,
    evaluation: errorEvaluation(reason, observed),
  });
  if (!isCollectorOutput(output)) return fail(`Cannot judge ${what}: the collector output is not {stdout, exitCode}.`);
  if (output.stdout.length > MAX_STDOUT_CHARS) {
    return fail(
      `Cannot judge ${what}: the collector printed ${output.stdout.length} characters, more than it ever should.`,
    );
  }
  const fields = new Map<string, string>();
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  let isComplete = false;
  const lines = output.stdout.replace(/\r\n/g, '\n').split('\n');
  for (const line of lines) {
    if (isComplete) {
      if (line.trim() !== '') return fail(`Cannot judge ${what}: the collector printed text after its end marker.`);
      continue;
    }
    if (line === END_MARKER) {
      isComplete = true;
      continue;
    }
    if (line.startsWith('### ')) {
      current = [];
      sections.set(line.slice(4).trim(), current);
      continue;
    }
    if (current) {
      if (line.trim() !== '') current.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    const match = FIELD_LINE.exec(line);
    if (!match) {
      return fail(`Cannot judge ${what}: unexpected collector output line "${line.slice(0, 80)}".`, {
        exitCode: output.exitCode,
      });
    }
    fields.set(match[1] as string, (match[2] as string).trim());
  }
  const collectorError = fields.get('error');
  if (collectorError !== undefined) {
    return fail(`Cannot judge ${what}: ${collectorError.slice(0, 300)}.`, { exitCode: output.exitCode });
  }
  if (output.exitCode !== 0) {
    return fail(`Cannot judge ${what}: the collector exited with code ${output.exitCode}.`, {
      exitCode: output.exitCode,
    });
  }
  if (!isComplete) {
    return fail(
      `Cannot judge ${what}: the collector output is empty, truncated or not from this collector (no end marker).`,
    );
  }
  return { ok: true, value: { fields, sections } };
}

export function section(parsed: ParsedOutput, name: string): readonly string[] {
  return parsed.sections.get(name) ?? [];
}
