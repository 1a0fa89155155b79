import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { BACKUP_LIB } from './shell-lib';

interface AuditRulesSpec {
  checkId: string;
  title: string;
  description: string;
  /** File under /etc/audit/rules.d that holds the rules. */
  fileName: string;
  /** Rules exactly as `auditctl -l` prints them back. */
  rules: readonly string[];
}

/**
 * Persists watch rules in /etc/audit/rules.d and loads them. When the loaded rules are immutable
 * (`-e 2`), the kernel accepts new ones only after a reboot: the runbook then fails and says so
 * instead of claiming success, and the incident goes on to a person.
 */
export function defineAuditRulesRunbook(spec: AuditRulesSpec): RunbookDefinition {
  const file = `/etc/audit/rules.d/${spec.fileName}`;
  const rules = spec.rules.map((rule) => `'${rule}'`).join(' ');
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'linux',
    checks: [spec.checkId],
    params: z.strictObject({}),
    detect: `needed=no
if ! command -v auditctl >/dev/null 2>&1; then needed=yes; else
  # As the check reads them: a -w watch or a syscall rule on the path, /var/run and /run alike.
  loaded=$(auditctl -l 2>/dev/null | sed 's#/var/run/#/run/#g')
  for r in ${rules}; do
    p=$(printf '%s\\n' "$r" | cut -d' ' -f2 | sed 's#^/var/run/#/run/#')
    printf '%s\\n' "$loaded" | grep -Eq -- "^-w $p/? -p r?wx?a|^-a .*-F (path|dir)=$p/? .*-F perm=r?wx?a" || needed=yes
    grep -qxF -- "$r" ${file} 2>/dev/null || needed=yes
  done
fi
echo "needed=$needed"
`,
    remediate: `${BACKUP_LIB}set -e
command -v auditctl >/dev/null 2>&1 || { echo "auditd is not installed; run rb-linux.audit.auditd-active first" >&2; exit 3; }
mkdir -p /etc/audit/rules.d
rb_backup ${file}
printf '%s\\n' ${rules} > ${file}
chmod 0640 ${file}
if auditctl -s 2>/dev/null | grep -q '^enabled 2'; then
  echo "audit rules are immutable (-e 2) until the next reboot; the rules are saved in ${file}" >&2; exit 3
fi
if command -v augenrules >/dev/null 2>&1; then augenrules --load; else auditctl -R ${file}; fi
echo "loaded ${spec.rules.length} rules from ${file}"
`,
    rollback: `${BACKUP_LIB}rb_restore\nif command -v augenrules >/dev/null 2>&1; then augenrules --load; fi\n`,
    captureState: `echo "## ${file}"; cat ${file} 2>/dev/null
echo "## loaded"; auditctl -l 2>/dev/null | grep -E -- '${spec.rules.map((rule) => rule.split(' ')[1]).join('|')}' | sort
`,
    timeoutSeconds: 60,
    retries: { max: 1, backoffSeconds: 5 },
    disruptive: false,
    requiresMaintenanceWindow: false,
    // Only when rules are immutable, which the runbook reports as a failure rather than rebooting.
    requiresReboot: false,
    allowConcurrent: false,
  };
}
