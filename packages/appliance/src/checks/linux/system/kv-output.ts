/**
 * Shared by the accounts, files and system checks: how their collectors print and how their
 * evaluators read it. A collector prints `key=value` lines and, only when it ran to the end, a last
 * line `end=ok`; anything else (a missing end marker, a line of another shape, a non-zero exit) is
 * output the evaluator cannot trust, so it becomes status `error` instead of a guess.
 */
import type { CollectorOutput, Evaluation, JsonValue } from '../../check';
import { errorEvaluation } from '../../check';

const LINE_PATTERN = /^([a-z][a-z0-9_]*)=(.*)$/;
const END_MARKER = 'end=ok';
/** Far above what any of these collectors prints (they cap their lists); more means something else ran. */
const MAX_STDOUT_CHARS = 512 * 1024;
/** How many items of a list go into `observed`. */
const OBSERVED_LIST_CAP = 20;

/**
 * Wraps a collector body: a fixed locale and PATH, and stdin closed for every command. The body sits
 * in a function so the shell has read the whole script before anything runs; a command that reads
 * stdin (apt-get, dnf, systemctl) then cannot swallow the rest of a script fed through `sh -s`.
 */
export function shScript(body: string): string {
  return `LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH
osiris_collect() {
${body.trim()}
}
osiris_collect </dev/null
echo ${END_MARKER}
`;
}

/** Parsed collector output: every value of a key, in the order printed. */
export interface KvOutput {
  first(key: string): string | undefined;
  all(key: string): string[];
  has(key: string): boolean;
}

type ParseResult = { ok: true; kv: KvOutput } | { ok: false; error: Evaluation };

export { errorEvaluation };

/** Validates the envelope (exit code, size, line shapes, end marker) and indexes the lines by key. */
export function parseKvOutput(output: CollectorOutput): ParseResult {
  if (typeof output?.stdout !== 'string' || typeof output.exitCode !== 'number') {
    return { ok: false, error: errorEvaluation('The collector output is not in the expected form.') };
  }
  if (output.exitCode !== 0) {
    return {
      ok: false,
      error: errorEvaluation(`The collector script exited with code ${output.exitCode}, so its output is incomplete.`, {
        exitCode: output.exitCode,
      }),
    };
  }
  if (output.stdout.length > MAX_STDOUT_CHARS) {
    return {
      ok: false,
      error: errorEvaluation('The collector printed far more than expected, so its output was not trusted.'),
    };
  }
  const lines = output.stdout.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return { ok: false, error: errorEvaluation('The collector printed nothing.') };
  if (lines[lines.length - 1] !== END_MARKER) {
    return {
      ok: false,
      error: errorEvaluation('The collector output is truncated: its end marker is missing.', {
        lastLine: (lines[lines.length - 1] ?? '').slice(0, 200),
      }),
    };
  }
  const values = new Map<string, string[]>();
  for (const line of lines.slice(0, -1)) {
    const match = LINE_PATTERN.exec(line);
    if (!match) {
      return {
        ok: false,
        error: errorEvaluation('The collector printed a line this check does not understand.', {
          line: line.slice(0, 200),
        }),
      };
    }
    const key = match[1] as string;
    const list = values.get(key) ?? [];
    list.push(match[2] as string);
    values.set(key, list);
  }
  return {
    ok: true,
    kv: {
      first: (key) => values.get(key)?.[0],
      all: (key) => values.get(key) ?? [],
      has: (key) => values.has(key),
    },
  };
}

/** A non-negative or negative decimal integer, or undefined for anything else (empty, words, floats). */
export function parseInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d{1,15}$/.test(value.trim())) return undefined;
  return Number.parseInt(value.trim(), 10);
}

/** A list for `observed`: at most `cap` items, plus how many there were in all when it was cut. */
export function capList<T extends JsonValue>(items: readonly T[], cap = OBSERVED_LIST_CAP): JsonValue {
  if (items.length <= cap) return [...items];
  return { first: items.slice(0, cap), total: items.length };
}

/** "a, b and 3 more" for a reason sentence. */
export function describeList(items: readonly string[], shown = 3): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}
