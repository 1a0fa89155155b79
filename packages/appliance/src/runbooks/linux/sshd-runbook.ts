import type { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { SSHD_LIB, sshdCaptureState } from './shell-lib';

/** Prints the comma-separated entries of $1 that are not in the comma-separated list $2. */
const LIST_OUTSIDE_SH = `rb_list_outside() {
  printf '%s\\n' "$1" | tr ',' '\\n' | while IFS= read -r a; do
    [ -n "$a" ] || continue
    case ",$2," in *",$a,"*) ;; *) echo "$a" ;; esac
  done
}
`;

interface SshdRunbookSpec {
  checkId: string;
  title: string;
  description: string;
  params: z.ZodObject;
  /** sshd_config keyword → the shell expression giving its new value (usually a "$P_…" variable). */
  settings: Readonly<Record<string, string>>;
  /** sh that sets `needed=yes` when the effective configuration (read with rb_sshd_value) is wrong. */
  detectSh: string;
}

/**
 * An sshd runbook: the change is written on a validated copy, sshd is reloaded (running sessions,
 * including the appliance's, stay up) and the old file comes back if sshd does not survive it.
 * Only keywords that cannot lock anyone out are ever set by these runbooks.
 */
export function defineSshdRunbook(spec: SshdRunbookSpec): RunbookDefinition {
  const sets = Object.entries(spec.settings)
    .map(([keyword, value]) => `rb_sshd_set ${keyword} ${value}`)
    .join('\n');
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'linux',
    checks: [spec.checkId],
    params: spec.params,
    detect: `${SSHD_LIB}${LIST_OUTSIDE_SH}needed=no\n${spec.detectSh}\necho "needed=$needed"\n`,
    remediate: `${SSHD_LIB}rb_sshd_begin\n${sets}\nrb_sshd_commit\n`,
    rollback: `${SSHD_LIB}rb_sshd_rollback\n`,
    captureState: sshdCaptureState(Object.keys(spec.settings)),
    timeoutSeconds: 60,
    retries: { max: 1, backoffSeconds: 5 },
    // A reload re-reads the file; established sessions are kept, so nobody is cut off.
    disruptive: false,
    requiresMaintenanceWindow: false,
    requiresReboot: false,
    // Every sshd runbook rewrites the same file.
    allowConcurrent: false,
  };
}
