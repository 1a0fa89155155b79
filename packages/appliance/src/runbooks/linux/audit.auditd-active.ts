import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { SYSTEMD_LIB } from './shell-lib';

const START = `${SYSTEMD_LIB}set -e
rb_has_systemd || { echo "systemd is not running here; auditd cannot be managed" >&2; exit 3; }
`;
const ENABLE = `systemctl unmask auditd.service >/dev/null 2>&1 || true
systemctl enable --now auditd.service
systemctl is-active auditd.service
`;

export const auditAuditdActive: RunbookDefinition = {
  id: 'rb-linux.audit.auditd-active',
  title: 'Install, enable and start the audit daemon',
  description:
    'Installs auditd (Debian/Ubuntu) or audit (RHEL family) when missing, then enables and starts auditd.service. Starting auditd interrupts nobody.',
  platform: 'linux',
  checks: ['linux.audit.auditd-active'],
  params: z.strictObject({}),
  detect: `${SYSTEMD_LIB}if rb_has_systemd && systemctl is-enabled --quiet auditd.service 2>/dev/null && systemctl is-active --quiet auditd.service; then echo needed=no; else echo needed=yes; fi\n`,
  remediate: {
    default: `${START}command -v auditd >/dev/null 2>&1 || [ -x /sbin/auditd ] || { echo "auditd is not installed and no known package manager is available" >&2; exit 3; }\n${ENABLE}`,
    debian: `${START}dpkg-query -W -f='\${Status}' auditd 2>/dev/null | grep -q 'ok installed' || DEBIAN_FRONTEND=noninteractive apt-get install -y auditd\n${ENABLE}`,
    rhel: `${START}rpm -q audit >/dev/null 2>&1 || { if command -v dnf >/dev/null 2>&1; then dnf install -y audit; else yum install -y audit; fi; }\n${ENABLE}`,
  },
  captureState: `${SYSTEMD_LIB}echo "auditd binary: $(command -v auditd || echo none)"
if rb_has_systemd; then echo "enabled: $(systemctl is-enabled auditd.service 2>&1)"; echo "active: $(systemctl is-active auditd.service 2>&1)"; fi
`,
  // Package installation can wait on the package manager's lock and a slow mirror.
  timeoutSeconds: 600,
  retries: { max: 2, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
