/**
 * Shared collector and evaluator scaffolding for the ssh checks. They read the effective server
 * configuration from `sshd -T` (defaults, Include files and first-match-wins already applied), never
 * the file, because a drop-in or a duplicated keyword makes the file lie.
 */
import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { END_MARKER, errorEvaluation, parseCollectorOutput, SH_PRELUDE, section } from './collector-output';

/**
 * Collector printing the given `sshd -T` keywords (lower case, as sshd -T prints them).
 * `match_blocks` counts Match blocks in the config files: sshd -T shows the global values, which a
 * Match block can override for some connections, so evaluators mention them.
 */
function sshdCollector(keywords: readonly string[]): string {
  return `${SH_PRELUDE}SSHD=
for p in "$(command -v sshd 2>/dev/null)" /usr/sbin/sshd /usr/local/sbin/sshd /sbin/sshd; do
  if [ -n "$p" ] && [ -x "$p" ]; then SSHD=$p; break; fi
done
if [ -z "$SSHD" ]; then echo "sshd=absent"; echo "${END_MARKER}"; exit 0; fi
echo "sshd=$SSHD"
m=$(cat /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf 2>/dev/null | grep -ci '^[[:space:]]*match[[:space:]]')
echo "match_blocks=\${m:-0}"
out=$("$SSHD" -T 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "error=sshd -T failed with exit code $rc: $(printf '%s\\n' "$out" | head -n 1 | tr -d '\\r' | cut -c1-200)"
  exit 2
fi
echo "### sshd -T"
printf '%s\\n' "$out" | grep -E '^(${keywords.join('|')}) ' | cut -c1-1000
echo "${END_MARKER}"
`;
}

export interface SshdFacts {
  /** Keyword (lower case) → value as sshd -T printed it. */
  values: ReadonlyMap<string, string>;
  matchBlocks: number;
}

export interface SshdCheckSpec {
  id: string;
  keywords: readonly string[];
  /** Judges the effective values; only called when sshd is installed and every keyword was printed. */
  judge(facts: SshdFacts): Evaluation;
  /** Keywords that may be missing (older/newer OpenSSH spell some differently); the judge handles absence. */
  optionalKeywords?: readonly string[];
}

const SUBJECT = 'the sshd configuration';

/** Appended to reasons so a reader knows sshd -T showed global values only. */
export function matchNote(facts: SshdFacts): string {
  return facts.matchBlocks > 0
    ? ` (global value; ${facts.matchBlocks} Match block(s) may override it for some connections)`
    : '';
}

function evaluateSshd(spec: SshdCheckSpec, output: CollectorOutput): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const sshd = parsed.value.fields.get('sshd');
  if (sshd === 'absent') {
    // No SSH server means nobody can sign in over SSH at all, which is what every ssh check protects.
    return {
      status: 'pass',
      reason: 'The OpenSSH server is not installed, so it accepts no logins.',
      observed: { sshd: 'absent' },
    };
  }
  if (!sshd) return errorEvaluation(`Cannot judge ${SUBJECT}: the collector did not say whether sshd is installed.`);
  const matchBlocks = Number(parsed.value.fields.get('match_blocks'));
  if (!Number.isInteger(matchBlocks) || matchBlocks < 0) {
    return errorEvaluation(`Cannot judge ${SUBJECT}: the Match block count is missing or not a number.`);
  }
  const values = new Map<string, string>();
  for (const line of section(parsed.value, 'sshd -T')) {
    const space = line.indexOf(' ');
    if (space <= 0) return errorEvaluation(`Cannot judge ${SUBJECT}: unexpected sshd -T line "${line.slice(0, 80)}".`);
    const key = line.slice(0, space);
    // sshd -T prints each keyword once; keep the first if a future version repeats one.
    if (!values.has(key)) values.set(key, line.slice(space + 1).trim());
  }
  const optional = new Set(spec.optionalKeywords ?? []);
  const missing = spec.keywords.filter((k) => !optional.has(k) && !values.has(k));
  if (missing.length > 0) {
    return errorEvaluation(`Cannot judge ${SUBJECT}: sshd -T did not print ${missing.join(', ')}.`, {
      sshd,
      missing,
    });
  }
  const judged = spec.judge({ values, matchBlocks });
  const observed: Record<string, JsonValue> = { sshd, ...judged.observed };
  if (matchBlocks > 0) observed.matchBlocks = matchBlocks;
  return { ...judged, observed };
}

export function defineSshdCheck(spec: SshdCheckSpec): LinuxCheck {
  return {
    id: spec.id,
    collector: sshdCollector(spec.keywords),
    evaluate: (output) => evaluateSshd(spec, output),
  };
}

/** A check requiring one yes/no keyword to be `no`. */
export function defineSshdNoCheck(id: string, keyword: string, label: string): LinuxCheck {
  return defineSshdCheck({
    id,
    keywords: [keyword],
    judge: (facts) => {
      const value = facts.values.get(keyword) as string;
      const observed = { [keyword]: value };
      return value === 'no'
        ? { status: 'pass', reason: `sshd has ${label} no${matchNote(facts)}.`, observed }
        : { status: 'fail', reason: `sshd has ${label} ${value}; it must be no${matchNote(facts)}.`, observed };
    },
  });
}

/** Splits an sshd -T algorithm list (comma separated). */
export function algorithmList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
