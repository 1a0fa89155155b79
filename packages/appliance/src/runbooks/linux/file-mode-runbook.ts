import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';

/**
 * Ownership and mode of sensitive files. Modes are only ever tightened: bits beyond the allowed
 * maximum are removed and stricter modes are kept (RHEL ships /etc/shadow as 0000, which stays).
 */
const FILE_MODE_LIB = `rb_files() {
  for f in "$@"; do [ -f "$f" ] && [ ! -L "$f" ] && echo "$f"; done
}
# Prints the file when its owner, group or mode is wrong: $1 file, $2 max mode (octal), $3 allowed groups.
rb_mode_wrong() {
  set -- "$1" "$2" "$3" $(stat -c '%a %U %G' "$1")
  [ $((0$4 & ~0$2 & 07777)) -eq 0 ] || { echo "$1"; return; }
  [ "$5" = root ] || { echo "$1"; return; }
  case " $3 " in *" $6 "*) ;; *) echo "$1" ;; esac
}
rb_mode_fix() {
  set -- "$1" "$2" "$3" $(stat -c '%a %U %G' "$1")
  g=$6
  case " $3 " in *" $g "*) ;; *) g=\${3%% *} ;; esac
  chown "root:$g" "$1"
  chmod "$(printf '%o' $((0$4 & 0$2)))" "$1"
  echo "$1: $(stat -c '%a %U:%G' "$1")"
}
`;

interface FileModeRunbookSpec {
  checkId: string;
  title: string;
  description: string;
  /** sh words naming the files (globs allowed). */
  files: string;
  maxMode: string;
  /** sh expression for the allowed groups, the first being the one to set. */
  groups: string;
}

export function defineFileModeRunbook(spec: FileModeRunbookSpec): RunbookDefinition {
  const prelude = `${FILE_MODE_LIB}GROUPS_OK=${spec.groups}\n`;
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'linux',
    checks: [spec.checkId],
    params: z.strictObject({}),
    detect: `${prelude}needed=no
for f in $(rb_files ${spec.files}); do [ -z "$(rb_mode_wrong "$f" ${spec.maxMode} "$GROUPS_OK")" ] || needed=yes; done
echo "needed=$needed"
`,
    remediate: `${prelude}set -e
for f in $(rb_files ${spec.files}); do
  if [ -n "$(rb_mode_wrong "$f" ${spec.maxMode} "$GROUPS_OK")" ]; then rb_mode_fix "$f" ${spec.maxMode} "$GROUPS_OK"; fi
done
`,
    // No rollback: putting back a weaker mode would only reopen the finding.
    captureState: `${prelude}for f in $(rb_files ${spec.files}); do stat -c '%a %U:%G %n' "$f"; done\n`,
    timeoutSeconds: 30,
    retries: { max: 1, backoffSeconds: 2 },
    disruptive: false,
    requiresMaintenanceWindow: false,
    requiresReboot: false,
    allowConcurrent: true,
  };
}

/** Debian and SUSE give the shadow files to group shadow; RHEL has no such group and uses root. */
export const SHADOW_GROUPS = `"$(getent group shadow >/dev/null 2>&1 && echo 'shadow root' || echo root)"`;
