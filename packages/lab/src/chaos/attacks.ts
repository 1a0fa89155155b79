import { DRIFTS_GROUP_A } from '../drifts/group-a';
import { DRIFTS_GROUP_B } from '../drifts/group-b';

/**
 * The chaos lab's attack catalog (issue 4): what an attacker or a careless administrator does to
 * a host, each naming the check that must detect it. The scripts are the drift recipes' (one
 * source of truth for "how this setting is broken on a lab host"); this file adds what the chaos
 * run reports on — a category and a title.
 */

export const ATTACK_CATEGORIES = ['security', 'network', 'services', 'policy', 'accounts', 'persistence'] as const;
type AttackCategory = (typeof ATTACK_CATEGORIES)[number];

interface Attack {
  id: string;
  category: AttackCategory;
  title: string;
  /** The catalog check that must report `fail` once the attack ran. */
  checkId: string;
  /** POSIX sh run as root inside the lab host. */
  script: string;
  /**
   * `escalated`: L1 must not heal this one. Its runbook's fix fails (and undoes itself), so the
   * honest outcome is a failed healing attempt and an escalation, not a heal.
   */
  expect?: 'escalated';
}

const TABLE: readonly (readonly [id: string, category: AttackCategory, title: string, checkId: string])[] = [
  ['ssh-root-login', 'security', 'Allow root to log in over SSH', 'linux.ssh.permit-root-login'],
  ['ssh-passwords', 'security', 'Turn SSH password logins back on', 'linux.ssh.password-authentication'],
  ['ssh-empty-passwords', 'security', 'Let SSH accept empty passwords', 'linux.ssh.permit-empty-passwords'],
  ['ssh-weak-ciphers', 'security', 'Offer CBC ciphers over SSH', 'linux.ssh.strong-ciphers'],
  ['ssh-weak-macs', 'security', 'Offer MD5/SHA-1 MACs over SSH', 'linux.ssh.strong-macs'],
  ['ssh-weak-kex', 'security', 'Offer SHA-1 key exchange over SSH', 'linux.ssh.strong-kex'],
  ['ssh-auth-tries', 'security', 'Allow many password guesses per connection', 'linux.ssh.max-auth-tries'],
  ['ssh-no-idle-timeout', 'security', 'Keep abandoned SSH sessions open', 'linux.ssh.idle-timeout'],
  ['ssh-x11', 'security', 'Enable X11 forwarding', 'linux.ssh.x11-forwarding'],
  ['firewall-open', 'network', 'Replace the firewall with accept-all', 'linux.firewall.default-deny-input'],
  ['ip-forwarding', 'network', 'Turn the host into a router', 'linux.sysctl.ip-forward'],
  ['icmp-redirects', 'network', 'Accept ICMP redirects', 'linux.sysctl.accept-redirects'],
  ['send-redirects', 'network', 'Send ICMP redirects', 'linux.sysctl.send-redirects'],
  ['source-routing', 'network', 'Accept source-routed packets', 'linux.sysctl.accept-source-route'],
  ['rp-filter-off', 'network', 'Disable reverse-path filtering', 'linux.sysctl.rp-filter'],
  ['syncookies-off', 'network', 'Disable TCP SYN cookies', 'linux.sysctl.tcp-syncookies'],
  ['telnet-server', 'services', 'Start a telnet server', 'linux.service.no-telnet-server'],
  ['rsh-server', 'services', 'Start an rsh server', 'linux.service.no-rsh-server'],
  ['ftp-server', 'services', 'Start an FTP server', 'linux.service.no-ftp-server'],
  ['tftp-server', 'services', 'Start a TFTP server', 'linux.service.no-tftp-server'],
  ['password-ageing', 'policy', 'Let passwords live forever', 'linux.accounts.password-ageing'],
  ['inactive-lock', 'policy', 'Never lock inactive accounts', 'linux.accounts.inactive-lock'],
  ['lockout-weakened', 'policy', 'Allow more failed logins before lockout', 'linux.accounts.lockout'],
  ['shell-timeout', 'policy', 'Lengthen the idle shell timeout', 'linux.session.shell-timeout'],
  ['core-dumps', 'policy', 'Allow core dumps of privileged programs', 'linux.kernel.core-dumps'],
  ['tmp-exec', 'policy', 'Allow executing files from /tmp', 'linux.mount.tmp-options'],
  ['uid0-backdoor', 'accounts', 'Add a second account with uid 0', 'linux.accounts.uid0-only-root'],
  ['empty-password', 'accounts', 'Blank an account password', 'linux.accounts.no-empty-passwords'],
  ['shadow-readable', 'persistence', 'Make /etc/shadow readable by others', 'linux.files.shadow-permissions'],
  ['gshadow-writable', 'persistence', 'Make /etc/gshadow group-writable', 'linux.files.gshadow-permissions'],
  ['passwd-writable', 'persistence', 'Make /etc/passwd group-writable', 'linux.files.passwd-permissions'],
  [
    'sshd-dropin-readable',
    'persistence',
    'Leave an sshd drop-in readable by all',
    'linux.files.sshd-config-permissions',
  ],
  [
    'sudoers-writable',
    'persistence',
    'Make a sudoers drop-in writable by its group',
    'linux.files.sudoers-permissions',
  ],
  ['world-writable-etc', 'persistence', 'Plant a world-writable file in /etc', 'linux.files.world-writable'],
  ['unowned-file', 'persistence', 'Leave a file owned by no user', 'linux.files.unowned'],
];

const driftScripts = new Map(
  [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B].flatMap((d) => (d.drift ? [[d.checkId, d.drift] as const] : [])),
);

/**
 * The firewall is opened (the check fails) and /etc/nftables.conf is replaced by a valid ruleset
 * with input policy drop that accepts neither SSH nor established traffic: the runbook prefers the
 * host's configured ruleset, so its fix cuts off the appliance, including the session it runs in.
 * The runbook's commit-confirm must restore access and the incident must be escalated.
 */
const FIREWALL_LOCKOUT_TRAP = `set -e
nft flush ruleset
nft add table inet filter
nft add chain inet filter input '{ type filter hook input priority filter; policy accept; }'
cat > /etc/nftables.conf <<'OSL_NFT'
#!/usr/sbin/nft -f
flush ruleset
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif "lo" accept
    tcp dport { 80, 443 } accept
  }
}
OSL_NFT
nft -c -f /etc/nftables.conf
`;

/** Attacks with their own script rather than a drift recipe's. */
const EXPLICIT: readonly Attack[] = [
  {
    id: 'firewall-lockout-trap',
    category: 'network',
    title: 'Open the firewall and plant a persistent ruleset that drops SSH',
    checkId: 'linux.firewall.default-deny-input',
    script: FIREWALL_LOCKOUT_TRAP,
    expect: 'escalated',
  },
];

export const ATTACKS: readonly Attack[] = [
  ...TABLE.map(([id, category, title, checkId]) => {
    const script = driftScripts.get(checkId);
    if (!script) throw new Error(`attack ${id}: no drift recipe breaks ${checkId}`);
    return { id, category, title, checkId, script };
  }),
  ...EXPLICIT,
];
