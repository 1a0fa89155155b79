import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { BACKUP_LIB } from './shell-lib';

/**
 * Kernel parameters: the value is written to /etc/sysctl.d/60-osiris.conf (so it survives a reboot),
 * lines in /etc/sysctl.conf and other /etc/sysctl.d files that would set it differently at boot are
 * commented out, and only the runbook's own keys are applied at run time. Never `sysctl --system`:
 * that would re-apply every file and could change settings nobody asked to touch.
 */
export const SYSCTL_LIB = `${BACKUP_LIB}SYSCTL_CONF=/etc/sysctl.d/60-osiris.conf
rb_key_re() { printf '%s' "$1" | sed 's/[.]/[.]/g'; }
rb_sysctl_path() { echo "/proc/sys/$(printf '%s' "$1" | tr . /)"; }
# Files other than ours that set the key to another value.
rb_sysctl_conflicts() {
  re=$(rb_key_re "$1")
  for f in /etc/sysctl.conf /etc/sysctl.d/*.conf; do
    [ -f "$f" ] && [ "$f" != "$SYSCTL_CONF" ] || continue
    grep -E "^[[:space:]]*-?$re[[:space:]]*=" "$f" | grep -Evq "=[[:space:]]*$2[[:space:]]*$" || continue
    echo "$f"
  done
}
# Succeeds when the key needs no change (absent keys, e.g. IPv6 when it is disabled, need none).
rb_sysctl_ok() {
  p=$(rb_sysctl_path "$1")
  [ -e "$p" ] || return 0
  [ "$(cat "$p")" = "$2" ] || return 1
  grep -Eq "^[[:space:]]*$(rb_key_re "$1")[[:space:]]*=[[:space:]]*$2[[:space:]]*$" "$SYSCTL_CONF" 2>/dev/null || return 1
  [ -z "$(rb_sysctl_conflicts "$1" "$2")" ]
}
rb_sysctl_set() {
  p=$(rb_sysctl_path "$1")
  [ -e "$p" ] || { echo "$1 does not exist on this kernel; skipped"; return 0; }
  re=$(rb_key_re "$1")
  for f in $(rb_sysctl_conflicts "$1" "$2"); do
    rb_backup "$f"; sed -i -E "s/^([[:space:]]*-?$re[[:space:]]*=)/#osiris-replaced# \\1/" "$f"
  done
  mkdir -p /etc/sysctl.d; rb_backup "$SYSCTL_CONF"; touch "$SYSCTL_CONF"
  sed -i -E "/^[[:space:]]*$re[[:space:]]*=/d" "$SYSCTL_CONF"
  echo "$1 = $2" >> "$SYSCTL_CONF"
  if [ "$(cat "$p")" != "$2" ]; then sysctl -q -w "$1=$2" || return 1; fi
  echo "$1 = $(cat "$p")"
}
`;

/** Prints runtime values and every /etc line naming the keys. */
export function sysctlCaptureState(keys: readonly string[]): string {
  return `${SYSCTL_LIB}for k in ${keys.join(' ')}; do p=$(rb_sysctl_path "$k"); [ -e "$p" ] && echo "runtime $k = $(cat "$p")"; done
for k in ${keys.join(' ')}; do grep -EH "$(rb_key_re "$k")" /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null; done | sort -u
`;
}

interface SysctlRunbookSpec {
  checkId: string;
  title: string;
  description: string;
  values: Readonly<Record<string, string>>;
}

export function defineSysctlRunbook(spec: SysctlRunbookSpec): RunbookDefinition {
  const entries = Object.entries(spec.values);
  const keys = entries.map(([key]) => key);
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'linux',
    checks: [spec.checkId],
    // The values are what the check requires; there is nothing safe to tune.
    params: z.strictObject({}),
    detect: `${SYSCTL_LIB}needed=no
${entries.map(([key, value]) => `rb_sysctl_ok ${key} ${value} || needed=yes`).join('\n')}
echo "needed=$needed"
`,
    remediate: `${SYSCTL_LIB}set -e
${entries.map(([key, value]) => `rb_sysctl_set ${key} ${value}`).join('\n')}
`,
    rollback: `${BACKUP_LIB}rb_restore\necho "files restored; runtime values return to them at the next sysctl load"\n`,
    captureState: sysctlCaptureState(keys),
    timeoutSeconds: 30,
    retries: { max: 1, backoffSeconds: 2 },
    // Takes effect at once, no service restarts, no reboot.
    disruptive: false,
    requiresMaintenanceWindow: false,
    requiresReboot: false,
    // All of them edit /etc/sysctl.d/60-osiris.conf.
    allowConcurrent: false,
  };
}
