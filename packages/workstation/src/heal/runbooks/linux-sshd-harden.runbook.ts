import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { type Runbook, shellStep } from '../runbook';

/**
 * LIN-SSH-001: harden sshd through a drop-in that sorts first (sshd keeps the first value it
 * reads), validate with `sshd -t` and roll back if invalid, then reload the running daemon.
 */
export const LINUX_SSHD_HARDEN: Runbook = {
  id: 'LIN-SSH-001',
  title: 'Harden sshd (no root login, no passwords, 3 tries, no X11)',
  checkId: 'ssh_server',
  tier: CapabilityTier.SELF_HEAL,
  steps: {
    linux: shellStep(`set -eu
dropin=/etc/ssh/sshd_config.d/00-osiris-hardening.conf
mkdir -p /etc/ssh/sshd_config.d
grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/' /etc/ssh/sshd_config || {
  sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config
  echo "added the Include of sshd_config.d"
}
cat > "$dropin.new" <<'CONF'
# Managed by osiris-agent (LIN-SSH-001)
PermitRootLogin no
PasswordAuthentication no
PermitEmptyPasswords no
MaxAuthTries 3
X11Forwarding no
CONF
chmod 0600 "$dropin.new"
[ -f "$dropin" ] && cp -p "$dropin" "$dropin.bak"
mv "$dropin.new" "$dropin"
mkdir -p /run/sshd
if ! sshd -t; then
  if [ -f "$dropin.bak" ]; then mv "$dropin.bak" "$dropin"; else rm -f "$dropin"; fi
  echo "sshd -t rejected the configuration; rolled back" >&2
  exit 1
fi
rm -f "$dropin.bak"
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet ssh 2>/dev/null; then systemctl reload ssh
elif command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet sshd 2>/dev/null; then systemctl reload sshd
elif [ -s /run/sshd.pid ]; then kill -HUP "$(cat /run/sshd.pid)"
fi
echo "sshd hardened"
`),
  },
};
