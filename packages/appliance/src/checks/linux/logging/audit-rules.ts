/**
 * Shared scaffolding for the audit-rule checks: the collector lists the loaded kernel rules with
 * `auditctl -l` (what is enforced now, not what rules.d will load at the next boot) and the
 * evaluator looks for a write+attribute watch on each required path, as a `-w` watch or as a
 * syscall rule with `-F path=`/`-F dir=` and `-F perm=`.
 * No auditctl means the audit userspace is not installed, so nothing loads rules: fail, not error.
 */
import type { Evaluation, LinuxCheck } from '../../check';
import { capList, END_MARKER, parseCollectorOutput, SH_PRELUDE, section } from '../ssh/collector-output';

export interface AuditRuleSpec {
  id: string;
  /** What the rules cover, for reasons: "account files". */
  label: string;
  paths: readonly string[];
}

function collector(paths: readonly string[]): string {
  const pattern = paths.map((p) => p.replace(/^\/var\/run\//, '/(var/)?run/').replace(/\./g, '\\.')).join('|');
  return `${SH_PRELUDE}if ! command -v auditctl >/dev/null 2>&1; then echo "auditctl=absent"; echo "${END_MARKER}"; exit 0; fi
echo "auditctl=present"
out=$(auditctl -l 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then echo "error=auditctl -l failed with exit code $rc: $(printf '%s\\n' "$out" | head -n 1 | cut -c1-200)"; exit 2; fi
echo "rules_total=$(printf '%s\\n' "$out" | grep -c '^-')"
echo "### rules"
printf '%s\\n' "$out" | grep -E '(${pattern})' | head -n 50
echo "${END_MARKER}"
`;
}

/** /var/run is a symlink to /run on every current distribution; either spelling watches the same file. */
function normalisePath(path: string): string {
  return path.replace(/^\/var\/run\//, '/run/').replace(/\/+$/, '');
}

/** Paths watched for both writes and attribute changes by one loaded rule line. */
export function watchedPaths(rule: string): string[] {
  if (/^-a\s+(never|\S*,never)/.test(rule) || /^-a\s+never/.test(rule)) return [];
  const watch = /^-w\s+(\S+)\s+-p\s+([rwxa]+)/.exec(rule);
  if (watch) return watch[2]?.includes('w') && watch[2].includes('a') ? [normalisePath(watch[1] as string)] : [];
  const perm = /-F\s+perm=([rwxa]+)/.exec(rule)?.[1] ?? '';
  if (!rule.startsWith('-a') || !perm.includes('w') || !perm.includes('a')) return [];
  return [...rule.matchAll(/-F\s+(?:path|dir)=(\S+)/g)].map((m) => normalisePath(m[1] as string));
}

function judge(spec: AuditRuleSpec, output: unknown): Evaluation {
  const subject = `the audit rules for ${spec.label}`;
  const parsed = parseCollectorOutput(output, subject);
  if (!parsed.ok) return parsed.evaluation;
  const auditctl = parsed.value.fields.get('auditctl');
  if (auditctl === 'absent') {
    return {
      status: 'fail',
      reason: `The audit userspace (auditctl) is not installed, so no audit rules watch the ${spec.label}.`,
      observed: { auditctl: 'absent', missing: [...spec.paths] },
    };
  }
  const total = Number(parsed.value.fields.get('rules_total'));
  if (auditctl !== 'present' || !Number.isInteger(total)) {
    return {
      status: 'error',
      reason: `Cannot judge ${subject}: the collector did not report auditctl and the rule count.`,
      observed: {},
    };
  }
  const rules = section(parsed.value, 'rules');
  const watched = new Set(rules.flatMap(watchedPaths));
  const missing = spec.paths.filter((p) => !watched.has(normalisePath(p)));
  const observed = { rulesLoaded: total, matchingRules: capList([...rules], 20), missing };
  return missing.length === 0
    ? {
        status: 'pass',
        reason: `Loaded audit rules watch every one of the ${spec.label} for writes and attribute changes.`,
        observed,
      }
    : {
        status: 'fail',
        reason: `No loaded audit rule watches ${missing.join(', ')} for writes and attribute changes (${total} rules loaded).`,
        observed,
      };
}

export function defineAuditRuleCheck(spec: AuditRuleSpec): LinuxCheck {
  return { id: spec.id, collector: collector(spec.paths), evaluate: (output) => judge(spec, output) };
}
