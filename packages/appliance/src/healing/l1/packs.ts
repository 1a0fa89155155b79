import type { CheckDefinition } from '@osiris/protocol';
import type { L1Rule } from '@osiris/protocol';

type PackName = 'standard' | 'full_coverage';

/**
 * Checks whose repair is safe and non-disruptive enough to run on every site without asking:
 * restoring file modes, kernel network parameters, audit rules, and starting the audit, syslog or
 * time daemon when it is stopped. Deliberately left out: anything that reloads sshd (a bad
 * config can cut off remote access), changes what users must type or how sessions end
 * (password quality, shell timeout), or removes packages a workflow may still depend on.
 */
const STANDARD_CHECK_IDS: ReadonlySet<string> = new Set([
  'linux.files.shadow-permissions',
  'linux.files.gshadow-permissions',
  'linux.files.passwd-permissions',
  'linux.files.sshd-config-permissions',
  'linux.files.sudoers-permissions',
  'linux.sysctl.accept-redirects',
  'linux.sysctl.send-redirects',
  'linux.sysctl.accept-source-route',
  'linux.sysctl.tcp-syncookies',
  'linux.kernel.aslr',
  'linux.kernel.core-dumps',
  'linux.audit.auditd-active',
  'linux.audit.identity-rules',
  'linux.audit.sudoers-rules',
  'linux.audit.login-rules',
  'linux.logging.syslog-active',
  'linux.time.sync-daemon',
]);

const L1_ATTEMPTS_PER_INCIDENT = 3;

const PRIORITY_BY_SEVERITY: Record<CheckDefinition['severity'], number> = {
  critical: 10,
  high: 20,
  medium: 30,
  low: 40,
};

/** One rule: the check failed with drift on a host → run the check's own runbook `rb-<check id>`. */
function ruleFor(check: CheckDefinition): L1Rule {
  return {
    id: `L1-${check.id}`,
    name: `Repair: ${check.title}`.slice(0, 120),
    description: check.remediation,
    conditions: [
      { field: 'checkId', operator: 'eq', value: check.id },
      { field: 'incidentType', operator: 'eq', value: 'drift' },
      { field: 'status', operator: 'eq', value: 'open' },
      // Retry budget: after this many L1 tries on one incident, leave it to L2/L3 instead of looping.
      { field: 'l1Attempts', operator: 'lt', value: L1_ATTEMPTS_PER_INCIDENT },
    ],
    action: `rb-${check.id}`,
    actionParams: {},
    hipaaControls: check.hipaa.slice(0, 8),
    severityFilter: null,
    enabled: true,
    priority: PRIORITY_BY_SEVERITY[check.severity],
    cooldownSeconds: 900,
    source: 'builtin',
  };
}

/**
 * A built-in rule pack generated from catalog data: `full_coverage` has a rule for every
 * healable check, `standard` only for the conservative subset above. Windows and other
 * platforms join automatically when their catalog entries are passed in.
 */
export function builtinPack(name: PackName, checks: readonly CheckDefinition[]): L1Rule[] {
  return checks
    .filter((check) => check.healable && (name === 'full_coverage' || STANDARD_CHECK_IDS.has(check.id)))
    .map(ruleFor);
}
