import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { BACKUP_LIB, SYSTEMD_LIB } from './shell-lib';

const DROPIN = '/etc/systemd/journald.conf.d/60-osiris.conf';

const LIB = `${BACKUP_LIB}${SYSTEMD_LIB}rb_rsyslog_ok() { systemctl is-enabled --quiet rsyslog.service 2>/dev/null && systemctl is-active --quiet rsyslog.service; }
rb_journal_persistent() {
  s=$(cat /etc/systemd/journald.conf /etc/systemd/journald.conf.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*Storage=//p' | tail -n 1)
  [ "$s" = persistent ] || { [ "\${s:-auto}" = auto ] && [ -d /var/log/journal ]; }
}
`;

export const loggingSyslogActive: RunbookDefinition = {
  id: 'rb-linux.logging.syslog-active',
  title: 'Keep system logs across reboots',
  description:
    'Enables and starts rsyslog where it is installed; otherwise makes the systemd journal persistent (Storage=persistent in a journald drop-in, /var/log/journal) and restarts systemd-journald, which keeps its clients connected.',
  platform: 'linux',
  checks: ['linux.logging.syslog-active'],
  params: z.strictObject({}),
  detect: `${LIB}if rb_has_systemd && { rb_rsyslog_ok || { systemctl is-active --quiet systemd-journald.service && rb_journal_persistent; }; }; then echo needed=no; else echo needed=yes; fi\n`,
  remediate: `${LIB}set -e
rb_has_systemd || { echo "systemd is not running here; logging services cannot be managed" >&2; exit 3; }
if systemctl cat rsyslog.service >/dev/null 2>&1; then
  systemctl unmask rsyslog.service >/dev/null 2>&1 || true
  systemctl enable --now rsyslog.service
else
  mkdir -p /etc/systemd/journald.conf.d /var/log/journal
  rb_backup ${DROPIN}
  printf '[Journal]\\nStorage=persistent\\n' > ${DROPIN}
  systemd-tmpfiles --create --prefix /var/log/journal >/dev/null 2>&1 || true
  systemctl restart systemd-journald.service
  journalctl --flush
fi
`,
  rollback: `${BACKUP_LIB}rb_restore\n`,
  captureState: `${LIB}if rb_has_systemd; then
  echo "rsyslog: $(systemctl is-enabled rsyslog.service 2>&1) $(systemctl is-active rsyslog.service 2>&1)"
  echo "journald: $(systemctl is-active systemd-journald.service 2>&1)"
fi
echo "journal dir: $([ -d /var/log/journal ] && echo present || echo absent)"
grep -H '^[[:space:]]*Storage=' /etc/systemd/journald.conf /etc/systemd/journald.conf.d/*.conf 2>/dev/null
`,
  timeoutSeconds: 60,
  retries: { max: 1, backoffSeconds: 5 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
