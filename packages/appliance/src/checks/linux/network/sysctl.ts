/**
 * Shared scaffolding for the kernel-parameter checks. Collectors read the runtime values from
 * /proc/sys (what the kernel enforces now), not the sysctl.d files, which only apply at boot or on
 * `sysctl --system`. /proc/sys exists on every Linux, so no tool is needed.
 */
import type { JsonValue, LinuxCheck } from '../../check';
import { END_MARKER, errorEvaluation, parseCollectorOutput, SH_PRELUDE } from '../ssh/collector-output';

interface SysctlRequirement {
  /** Dotted name, e.g. net.ipv4.ip_forward. */
  key: string;
  expected: string;
  /** IPv6 keys are absent when IPv6 is disabled at boot; then the requirement does not apply. */
  isIpv6?: boolean;
}

/** Prints `<key>=<value>` per key, or `<key>=absent` when the kernel has no such parameter. */
function sysctlCollector(keys: readonly string[]): string {
  return `${SH_PRELUDE}for k in ${keys.join(' ')}; do
  f=/proc/sys/$(printf '%s' "$k" | tr . /)
  if [ -r "$f" ]; then printf '%s=%s\\n' "$k" "$(head -c 200 "$f" | head -n 1 | tr -s '\\t' ' ')"; else printf '%s=absent\\n' "$k"; fi
done
echo "${END_MARKER}"
`;
}

interface SysctlReading {
  values: Record<string, JsonValue>;
  wrong: string[];
}

/** Reads the requirements' values; returns an error evaluation when a value is missing or malformed. */
function readSysctls(
  output: unknown,
  requirements: readonly SysctlRequirement[],
  subject: string,
): { ok: true; reading: SysctlReading } | { ok: false; evaluation: ReturnType<typeof errorEvaluation> } {
  const parsed = parseCollectorOutput(output, subject);
  if (!parsed.ok) return parsed;
  const values: Record<string, JsonValue> = {};
  const wrong: string[] = [];
  for (const req of requirements) {
    const value = parsed.value.fields.get(req.key);
    if (value === undefined) {
      return {
        ok: false,
        evaluation: errorEvaluation(`Cannot judge ${subject}: the collector did not report ${req.key}.`),
      };
    }
    if (value === 'absent') {
      if (req.isIpv6) {
        values[req.key] = 'absent (IPv6 disabled)';
        continue;
      }
      return {
        ok: false,
        evaluation: errorEvaluation(`Cannot judge ${subject}: the kernel has no ${req.key} parameter.`),
      };
    }
    if (!/^-?\d+$/.test(value)) {
      return {
        ok: false,
        evaluation: errorEvaluation(`Cannot judge ${subject}: ${req.key} is "${value.slice(0, 40)}", not a number.`),
      };
    }
    values[req.key] = value;
    if (value !== req.expected) wrong.push(`${req.key} = ${value} (must be ${req.expected})`);
  }
  return { ok: true, reading: { values, wrong } };
}

export interface SysctlCheckSpec {
  id: string;
  subject: string;
  requirements: readonly SysctlRequirement[];
  passReason: string;
}

/** A check that passes when every parameter has its expected runtime value. */
export function defineSysctlCheck(spec: SysctlCheckSpec): LinuxCheck {
  return {
    id: spec.id,
    collector: sysctlCollector(spec.requirements.map((r) => r.key)),
    evaluate: (output) => {
      const read = readSysctls(output, spec.requirements, spec.subject);
      if (!read.ok) return read.evaluation;
      const { values, wrong } = read.reading;
      return wrong.length === 0
        ? { status: 'pass', reason: spec.passReason, observed: values }
        : { status: 'fail', reason: `Kernel parameters are unsafe: ${wrong.join('; ')}.`, observed: values };
    },
  };
}
