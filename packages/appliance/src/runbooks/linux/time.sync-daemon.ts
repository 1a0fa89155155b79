import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { SYSTEMD_LIB } from './shell-lib';

/** The time daemons the check knows, in the order one is kept when several run. */
const LIB = `${SYSTEMD_LIB}DAEMONS="chrony.service chronyd.service systemd-timesyncd.service ntp.service ntpd.service ntpsec.service"
# Canonical unit ids, so an alias (chronyd.service for chrony.service on Debian) counts once.
rb_id() { systemctl show -p Id --value "$1" 2>/dev/null; }
rb_running() { for u in $DAEMONS; do systemctl is-active --quiet "$u" 2>/dev/null && rb_id "$u"; done | sort -u; }
rb_enabled() { for u in $DAEMONS; do systemctl is-enabled --quiet "$u" 2>/dev/null && rb_id "$u"; done | sort -u; }
rb_unit_exists() { systemctl cat "$1" >/dev/null 2>&1; }
`;

function remediate(install: string): string {
  return `${LIB}set -e
rb_has_systemd || { echo "systemd is not running here; time daemons cannot be managed" >&2; exit 3; }
keep=$(rb_running | head -n 1)
if [ -z "$keep" ]; then
  for u in chrony.service chronyd.service systemd-timesyncd.service ntpsec.service ntp.service ntpd.service; do
    if rb_unit_exists "$u"; then keep=$(rb_id "$u"); break; fi
  done
fi
if [ -z "$keep" ]; then
${install}
  keep=$(for u in chrony.service chronyd.service; do rb_unit_exists "$u" && rb_id "$u"; done | head -n 1)
fi
[ -n "$keep" ] || { echo "no time daemon could be installed" >&2; exit 3; }
# Only one daemon may discipline the clock; two fight over it.
for u in $DAEMONS; do
  if rb_unit_exists "$u" && [ "$(rb_id "$u")" != "$keep" ]; then systemctl disable --now "$u" >/dev/null 2>&1 || true; fi
done
systemctl unmask "$keep" >/dev/null 2>&1 || true
systemctl enable --now "$keep"
echo "time daemon: $keep"
`;
}

export const timeSyncDaemon: RunbookDefinition = {
  id: 'rb-linux.time.sync-daemon',
  title: 'Run exactly one time synchronisation daemon',
  description:
    'Keeps the running (or installed) time daemon, preferring chrony, installs chrony when there is none, enables and starts it and disables the others, so exactly one of chronyd, systemd-timesyncd and ntpd disciplines the clock.',
  platform: 'linux',
  checks: ['linux.time.sync-daemon'],
  params: z.strictObject({}),
  detect: `${LIB}if rb_has_systemd && [ "$(rb_running | wc -l)" -eq 1 ] && [ "$(rb_enabled | wc -l)" -eq 1 ] && [ "$(rb_running)" = "$(rb_enabled)" ]; then echo needed=no; else echo needed=yes; fi\n`,
  remediate: {
    default: remediate('  echo "no time daemon installed and no known package manager" >&2; exit 3'),
    debian: remediate('  DEBIAN_FRONTEND=noninteractive apt-get install -y chrony'),
    rhel: remediate('  if command -v dnf >/dev/null 2>&1; then dnf install -y chrony; else yum install -y chrony; fi'),
  },
  captureState: `${LIB}if rb_has_systemd; then for u in $DAEMONS; do rb_unit_exists "$u" && echo "$u: $(systemctl is-enabled "$u" 2>&1) $(systemctl is-active "$u" 2>&1)"; done; fi; true\n`,
  timeoutSeconds: 600,
  retries: { max: 2, backoffSeconds: 30 },
  // A daemon that steps the clock once is not noticed by people; nothing they use is restarted.
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
