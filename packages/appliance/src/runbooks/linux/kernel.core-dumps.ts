import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { SYSCTL_LIB, sysctlCaptureState } from './sysctl-runbook';

const LIMITS_FILE = '/etc/security/limits.d/60-osiris.conf';
const COREDUMP_DROPIN = '/etc/systemd/coredump.conf.d/60-osiris.conf';

/**
 * Lines in the pam_limits files, other than ours, that allow core files (hard or both limits, any
 * non-zero value). pam_limits lets a later file override an earlier one, so each must go.
 */
const CORE_LIB = `${SYSCTL_LIB}rb_core_conflicts() {
  for f in /etc/security/limits.conf /etc/security/limits.d/*.conf; do
    [ -f "$f" ] && [ "$f" != ${LIMITS_FILE} ] || continue
    awk '$0 !~ /^[[:space:]]*#/ && ($2 == "hard" || $2 == "-") && $3 == "core" && $4 != "0" { found = 1 } END { exit !found }' "$f" && echo "$f"
  done
}
rb_has_coredump() { [ -x /lib/systemd/systemd-coredump ] || [ -x /usr/lib/systemd/systemd-coredump ]; }
`;

export const kernelCoreDumps: RunbookDefinition = {
  id: 'rb-linux.kernel.core-dumps',
  title: 'Restrict core dumps',
  description:
    'Writes "* hard core 0" to limits.d/60-osiris.conf and comments out limits lines that allow cores, sets fs.suid_dumpable = 0, and where systemd-coredump is installed sets Storage=none and ProcessSizeMax=0. New sessions pick up the limit; nothing is restarted.',
  platform: 'linux',
  checks: ['linux.kernel.core-dumps'],
  params: z.strictObject({}),
  detect: `${CORE_LIB}needed=no
rb_sysctl_ok fs.suid_dumpable 0 || needed=yes
grep -Eq '^[*][[:space:]]+hard[[:space:]]+core[[:space:]]+0[[:space:]]*$' ${LIMITS_FILE} 2>/dev/null || needed=yes
[ -z "$(rb_core_conflicts)" ] || needed=yes
if rb_has_coredump && ! grep -qx 'Storage=none' ${COREDUMP_DROPIN} 2>/dev/null; then needed=yes; fi
echo "needed=$needed"
`,
  remediate: `${CORE_LIB}set -e
rb_sysctl_set fs.suid_dumpable 0
for f in $(rb_core_conflicts); do
  rb_backup "$f"
  awk '$0 !~ /^[[:space:]]*#/ && ($2 == "hard" || $2 == "-") && $3 == "core" && $4 != "0" { print "#osiris-replaced# " $0; next } { print }' "$f" > "$f.osiris-new"
  cat "$f.osiris-new" > "$f"; rm -f "$f.osiris-new"
done
mkdir -p /etc/security/limits.d
rb_backup ${LIMITS_FILE}
printf '# core dumps can hold ePHI and credentials (OsirisCare)\\n* hard core 0\\n' > ${LIMITS_FILE}
if rb_has_coredump; then
  mkdir -p /etc/systemd/coredump.conf.d
  rb_backup ${COREDUMP_DROPIN}
  printf '[Coredump]\\nStorage=none\\nProcessSizeMax=0\\n' > ${COREDUMP_DROPIN}
fi
echo "core dumps restricted"
`,
  rollback: `${CORE_LIB}rb_restore\n`,
  captureState: `${sysctlCaptureState(['fs.suid_dumpable'])}grep -EH '^[^#]*[[:space:]]core[[:space:]]' /etc/security/limits.conf /etc/security/limits.d/*.conf 2>/dev/null
cat ${COREDUMP_DROPIN} 2>/dev/null
`,
  timeoutSeconds: 30,
  retries: { max: 1, backoffSeconds: 2 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
