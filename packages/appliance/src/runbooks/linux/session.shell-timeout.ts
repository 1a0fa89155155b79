import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { BACKUP_LIB } from './shell-lib';

const PROFILE_FILE = '/etc/profile.d/60-osiris-tmout.sh';
const DCONF_FILE = '/etc/dconf/db/local.d/00-osiris-idle';

/** The system-wide start-up files the check reads, and their uncommented TMOUT lines. */
const LIB = `${BACKUP_LIB}FILES="/etc/profile /etc/profile.d/*.sh /etc/bash.bashrc /etc/bashrc"
rb_tmout_lines() { for f in $FILES; do [ -f "$f" ] && grep -H -v '^[[:space:]]*#' "$f" | grep 'TMOUT'; done; }
rb_gnome() { command -v gnome-shell >/dev/null 2>&1 && command -v dconf >/dev/null 2>&1; }
rb_tmout_ok() {
  lines=$(rb_tmout_lines)
  [ -n "$lines" ] || return 1
  for v in $(printf '%s\\n' "$lines" | grep -oE 'TMOUT=["'"'"']?[0-9]+' | grep -oE '[0-9]+$'); do
    if [ "$v" -eq 0 ] || [ "$v" -gt 900 ]; then return 1; fi
  done
  printf '%s\\n' "$lines" | grep -Eq 'readonly[[:space:]].*TMOUT|declare -[a-z]*r' || return 1
  printf '%s\\n' "$lines" | grep -Eq 'export[[:space:]].*TMOUT|declare -[a-z]*x' || return 1
}
rb_dconf_ok() { ! rb_gnome || grep -qx 'idle-delay=uint32 '"$P_TIMEOUT_SECONDS" ${DCONF_FILE} 2>/dev/null; }
`;

export const sessionShellTimeout: RunbookDefinition = {
  id: 'rb-linux.session.shell-timeout',
  title: 'Log out idle shell sessions after 15 minutes',
  description:
    'Writes "readonly TMOUT=900; export TMOUT" to /etc/profile.d/60-osiris-tmout.sh and comments out every other TMOUT line so that file alone decides; on GNOME desktops sets a locked idle-delay and screen lock through dconf. Applies to new log-ins; running sessions are not touched.',
  platform: 'linux',
  checks: ['linux.session.shell-timeout'],
  params: z.strictObject({ timeoutSeconds: z.number().int().min(60).max(900).default(900) }),
  detect: `${LIB}if rb_tmout_ok && rb_dconf_ok; then echo needed=no; else echo needed=yes; fi\n`,
  remediate: `${LIB}set -e
for f in $FILES; do
  [ -f "$f" ] && [ "$f" != ${PROFILE_FILE} ] || continue
  grep -v '^[[:space:]]*#' "$f" | grep -q 'TMOUT' || continue
  rb_backup "$f"; sed -i -E '/^[[:space:]]*#/! { /TMOUT/ s/^/#osiris-replaced# / }' "$f"
done
rb_backup ${PROFILE_FILE}
printf '# Idle shells log out (OsirisCare)\\nreadonly TMOUT=%s; export TMOUT\\n' "$P_TIMEOUT_SECONDS" > ${PROFILE_FILE}
chmod 0644 ${PROFILE_FILE}
if rb_gnome; then
  mkdir -p /etc/dconf/db/local.d/locks /etc/dconf/profile
  rb_backup ${DCONF_FILE} /etc/dconf/db/local.d/locks/00-osiris-idle /etc/dconf/profile/user
  printf '[org/gnome/desktop/session]\\nidle-delay=uint32 %s\\n\\n[org/gnome/desktop/screensaver]\\nlock-enabled=true\\nlock-delay=uint32 0\\n' "$P_TIMEOUT_SECONDS" > ${DCONF_FILE}
  printf '/org/gnome/desktop/session/idle-delay\\n/org/gnome/desktop/screensaver/lock-enabled\\n' > /etc/dconf/db/local.d/locks/00-osiris-idle
  grep -qx 'system-db:local' /etc/dconf/profile/user 2>/dev/null || printf 'user-db:user\\nsystem-db:local\\n' >> /etc/dconf/profile/user
  dconf update
fi
echo "TMOUT set to $P_TIMEOUT_SECONDS"
`,
  rollback: `${BACKUP_LIB}rb_restore\ncommand -v dconf >/dev/null 2>&1 && dconf update || true\n`,
  captureState: `${LIB}rb_tmout_lines; cat ${DCONF_FILE} 2>/dev/null; true\n`,
  timeoutSeconds: 30,
  retries: { max: 1, backoffSeconds: 2 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
