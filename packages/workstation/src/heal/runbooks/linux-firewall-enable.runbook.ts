import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { type Runbook, shellStep } from '../runbook';

/**
 * LIN-FW-001: turn on a default-deny inbound firewall that keeps SSH reachable. Uses ufw or
 * firewalld when installed, else loads an nftables table of its own (runtime ruleset; persisted
 * only where /etc/nftables.d is included by the distribution's nftables service).
 */
export const LINUX_FIREWALL_ENABLE: Runbook = {
  id: 'LIN-FW-001',
  title: 'Enable a default-deny host firewall (SSH kept open)',
  checkId: 'firewall',
  tier: CapabilityTier.SELF_HEAL,
  steps: {
    linux: shellStep(`set -eu
if command -v ufw >/dev/null 2>&1; then
  ufw default deny incoming
  ufw default allow outgoing
  ufw allow 22/tcp
  ufw --force enable
  echo "ufw enabled"
elif command -v firewall-cmd >/dev/null 2>&1; then
  systemctl enable --now firewalld
  firewall-cmd --permanent --add-service=ssh
  firewall-cmd --reload
  echo "firewalld enabled"
else
  nft list table inet osiris_agent >/dev/null 2>&1 && nft delete table inet osiris_agent
  nft -f - <<'NFT'
table inet osiris_agent {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iif "lo" accept
    meta l4proto { icmp, ipv6-icmp } accept
    tcp dport 22 accept
  }
}
NFT
  if [ -d /etc/nftables.d ]; then nft list table inet osiris_agent > /etc/nftables.d/osiris-agent.nft; fi
  echo "nftables table inet osiris_agent loaded"
fi
`),
  },
};
