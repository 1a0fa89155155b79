import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { BACKUP_LIB } from './shell-lib';

const CONF = '/etc/security/pwquality.conf';

/**
 * The password stacks pam_pwquality is looked for in, and the module arguments in them. A minlen
 * argument on the PAM line overrides pwquality.conf; editing PAM stacks by hand can lock people
 * out, so a too-small argument there is reported for a person instead of changed.
 */
const LIB = `${BACKUP_LIB}STACKS="/etc/pam.d/common-password /etc/pam.d/system-auth /etc/pam.d/password-auth"
rb_pam_lines() { grep -hE '^[[:space:]]*password[[:space:]].*pam_pwquality[.]so' $STACKS 2>/dev/null; }
rb_module() { for d in /lib/security /lib64/security /usr/lib/security /usr/lib64/security /lib/*-linux-gnu*/security /usr/lib/*-linux-gnu*/security; do [ -e "$d/pam_pwquality.so" ] && return 0; done; return 1; }
rb_arg_minlen() { rb_pam_lines | grep -oE 'minlen=[0-9]+' | cut -d= -f2 | sort -n | tail -n 1; }
rb_conf_minlen() { cat ${CONF} ${CONF}.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*minlen[[:space:]]*=[[:space:]]*\\([0-9]*\\).*/\\1/p' | tail -n 1; }
rb_minlen() { a=$(rb_arg_minlen); [ -n "$a" ] && { echo "$a"; return; }; c=$(rb_conf_minlen); echo "\${c:-8}"; }
`;

function remediate(install: string, enable: string): string {
  return `${LIB}set -e
rb_module || { ${install}; }
if [ -z "$(rb_pam_lines)" ]; then ${enable}; fi
[ -n "$(rb_pam_lines)" ] || { echo "pam_pwquality is not in the password stack and could not be enabled safely" >&2; exit 3; }
a=$(rb_arg_minlen)
if [ -n "$a" ] && [ "$a" -lt "$P_MIN_LENGTH" ]; then echo "the PAM line sets minlen=$a, which overrides pwquality.conf; change it by hand" >&2; exit 3; fi
for f in ${CONF} ${CONF}.d/*.conf; do
  [ -f "$f" ] || continue
  grep -qE '^[[:space:]]*minlen[[:space:]]*=' "$f" || continue
  rb_backup "$f"; sed -i -E 's/^([[:space:]]*minlen[[:space:]]*=)/#osiris-replaced# \\1/' "$f"
done
rb_backup ${CONF}; touch ${CONF}
echo "minlen = $P_MIN_LENGTH" >> ${CONF}
echo "minlen is now $(rb_minlen)"
`;
}

export const accountsPasswordQuality: RunbookDefinition = {
  id: 'rb-linux.accounts.password-quality',
  title: 'Require passwords of at least 14 characters',
  description:
    'Installs pam_pwquality when missing (libpam-pwquality adds itself to the Debian stack through pam-auth-update; RHEL stacks carry it already), then sets minlen in pwquality.conf. Applies to the next password change.',
  platform: 'linux',
  checks: ['linux.accounts.password-quality'],
  params: z.strictObject({ minLength: z.number().int().min(14).max(64).default(14) }),
  detect: `${LIB}if rb_module && [ -n "$(rb_pam_lines)" ] && [ "$(rb_minlen)" -ge "$P_MIN_LENGTH" ]; then echo needed=no; else echo needed=yes; fi\n`,
  remediate: {
    default: remediate('echo "pam_pwquality is not installed and no known package manager" >&2; exit 3', 'true'),
    debian: remediate(
      'DEBIAN_FRONTEND=noninteractive apt-get install -y libpam-pwquality',
      'pam-auth-update --package --enable pwquality',
    ),
    rhel: remediate(
      'if command -v dnf >/dev/null 2>&1; then dnf install -y libpwquality; else yum install -y libpwquality; fi',
      'true',
    ),
  },
  rollback: `${BACKUP_LIB}rb_restore\n`,
  captureState: `${LIB}echo "module: $(rb_module && echo installed || echo absent)"
rb_pam_lines
grep -H 'minlen' ${CONF} ${CONF}.d/*.conf 2>/dev/null
echo "effective minlen: $(rb_minlen)"
`,
  timeoutSeconds: 300,
  retries: { max: 1, backoffSeconds: 30 },
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
