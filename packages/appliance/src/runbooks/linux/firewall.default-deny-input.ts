import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';

/**
 * rb-linux.firewall.default-deny-input: load a default-deny nftables input policy with
 * commit-confirm, because a firewall change is the one repair that can cut the appliance off.
 *
 * remediate saves the live ruleset, starts a detached timer (its own session, so the SSH channel
 * closing does not kill it) that reloads the saved ruleset after P_CONFIRM_SECONDS, and only then
 * loads the new ruleset. verify runs only if the appliance can still reach the host after the
 * change; it cancels the timer. If the change cut SSH off, nothing cancels it and the host
 * restores its previous ruleset by itself; rollback applies the saved ruleset at once when the
 * timer is still pending. Who gets to act is decided by renaming the `pending` marker (atomic):
 * the timer, verify and rollback each only act when their rename wins, so a revert never applies
 * after a confirmation and a confirmation never survives a revert.
 *
 * Timing. A successful run (remediate, the check, verify) takes a few seconds, well inside the
 * shortest confirm window (10 s). When the new ruleset drops SSH, remediate itself usually still
 * returns (only inbound packets are dropped, its output gets out) and the appliance's next contact,
 * the check, stalls. timeoutSeconds (the limit of every phase) is longer than the longest confirm
 * window (600 s) plus a margin, so for every accepted confirmSeconds the timer has restored the
 * previous ruleset before that phase can time out, and rollback and capture_after reach the host
 * again. In practice the stalled check ends sooner: its SSH connection resumes at the next TCP
 * retransmission after the revert (or ssh2's keepalive drops it after about a minute and the run
 * reconnects), and the check sees the restored, failing ruleset. Either way the executor reports
 * a failure (check fail or error), never a success: verify would find no pending timer anyway.
 * With retries.max 0 the fix is not repeated within the execution; the incident goes on to L2/L3.
 */
const CONFIRM_DIR = '/var/lib/osiris-runbooks/firewall-confirm';
const MAX_CONFIRM_SECONDS = 600;

/** Shared by every phase: where the commit-confirm state lives and how a timer is stopped. */
const FW_LIB = `D=${CONFIRM_DIR}
NFT=$(command -v nft 2>/dev/null || true)
for p in /usr/sbin/nft /sbin/nft; do [ -n "$NFT" ] || { [ -x "$p" ] && NFT=$p; }; done
# Stops the timer's whole session (the shell and its sleep); the marker rename already disarmed it.
rb_fw_stop_timer() {
  t=$(cat "$D/timer.pid" 2>/dev/null) || return 0
  case "$t" in ''|*[!0-9]*) return 0 ;; esac
  kill -s TERM -- "-$t" 2>/dev/null || kill -s TERM "$t" 2>/dev/null || true
}
# A revert left pending by an earlier run that never confirmed: apply it now, as its timer would.
rb_fw_settle_stale() {
  [ -d "$D" ] || return 0
  if mv "$D/pending" "$D/stale" 2>/dev/null; then
    t=$(cat "$D/timer.pid" 2>/dev/null)
    if [ -n "$t" ] && kill -0 "$t" 2>/dev/null; then
      rb_fw_stop_timer
      "$NFT" -f "$D/saved.nft" || { echo "cannot apply the pending revert of an earlier run" >&2; exit 1; }
      echo "applied the revert an earlier unconfirmed run left pending"
    fi
  fi
  rm -rf "$D"
}
`;

/** Prints the address families with a deny-by-default input chain, like the check judges it. */
const DENIED_FAMILIES_SH = `rb_fw_denied() {
  if [ -n "$NFT" ]; then
    "$NFT" list ruleset 2>/dev/null | awk '
      /^table /{fam=$2; next}
      /^[ \\t]*chain /{inchain=1; hook=0; pol="accept"; last=""; next}
      inchain && /hook input/ {hook=1; if (match($0, /policy [a-z]+/)) pol=substr($0, RSTART+7, RLENGTH-7); next}
      inchain && /^[ \\t]*type / {next}
      inchain && /^[ \\t]*}/ {
        v=last; gsub(/comment "[^"]*"/, "", v); gsub(/counter( packets [0-9]+ bytes [0-9]+)?/, "", v)
        gsub(/log( prefix "[^"]*")?( level [a-z]+)?/, "", v); gsub(/[ \\t]+/, " ", v); sub(/^ /, "", v); sub(/ $/, "", v)
        if (hook && (pol == "drop" || v == "drop" || v == "reject" || v ~ /^reject with /)) print fam
        inchain=0; next
      }
      inchain && NF>0 {last=$0}'
  fi
  for t in iptables ip6tables; do
    command -v $t-save >/dev/null 2>&1 || continue
    $t-save -t filter 2>/dev/null | awk -v fam=$t '/^:INPUT /{pol=$2} /^-A INPUT /{last=$0}
      END{v=last; gsub(/-m comment --comment ("[^"]*"|[^ ]+)/, "", v); gsub(/[ \\t]+/, " ", v); sub(/ $/, "", v)
        if (pol == "DROP" || v ~ /^-A INPUT -j (DROP|REJECT)( --reject-with [^ ]+)?$/) print (fam == "iptables" ? "ip" : "ip6")}'
  done
}
`;

const DETECT = `${FW_LIB}${DENIED_FAMILIES_SH}denied=$(rb_fw_denied | tr '\\n' ' ')
v4=no; v6=no
for f in $denied; do
  case "$f" in inet) v4=yes; v6=yes ;; ip) v4=yes ;; ip6) v6=yes ;; esac
done
if [ -e /proc/sys/net/ipv6/conf/all/disable_ipv6 ] && [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ]; then :; else v6=yes; fi
if [ "$v4" = yes ] && [ "$v6" = yes ]; then echo "needed=no"; else echo "needed=yes"; fi
`;

/** The TCP ports sshd listens on (sshd -T) plus the one this session came in on; 22 when unknown. */
const SSH_PORTS_SH = `rb_fw_ssh_ports() {
  SSHD=
  for p in "$(command -v sshd 2>/dev/null)" /usr/sbin/sshd /usr/local/sbin/sshd /sbin/sshd; do
    if [ -n "$p" ] && [ -x "$p" ]; then SSHD=$p; break; fi
  done
  {
    [ -n "$SSHD" ] && "$SSHD" -T 2>/dev/null | awk '$1 == "port" && $2 ~ /^[0-9]+$/ { print $2 }'
    set -- \${SSH_CONNECTION:-}
    case "\${4:-}" in ''|*[!0-9]*) ;; *) echo "$4" ;; esac
  } | sort -un > "$D/ports"
  [ -s "$D/ports" ] || echo 22 > "$D/ports"
  tr '\\n' ',' < "$D/ports" | sed 's/,$//'
}
`;

/** Whether /etc/nftables.conf declares an input-hook chain with policy drop (comments ignored). */
const CONFIGURED_DENIES_SH = `rb_fw_configured_denies() {
  [ -f /etc/nftables.conf ] || return 1
  sed 's/#.*$//' /etc/nftables.conf | tr '\\n' ' ' | sed 's/chain /\\
chain /g' | grep 'hook input' | grep -q 'policy drop'
}
`;

const REMEDIATE = `${FW_LIB}${SSH_PORTS_SH}${CONFIGURED_DENIES_SH}[ -n "$NFT" ] || { echo "nft is not installed" >&2; exit 3; }
command -v setsid >/dev/null 2>&1 || { echo "setsid is missing: cannot arm the automatic revert" >&2; exit 3; }
umask 077
mkdir -p "\${D%/*}"
rb_fw_settle_stale
mkdir "$D"
{ echo "flush ruleset"; "$NFT" list ruleset; } > "$D/saved.nft" || { rm -rf "$D"; echo "cannot save the current ruleset" >&2; exit 1; }
if ! "$NFT" -c -f "$D/saved.nft" >/dev/null 2>&1; then
  rm -rf "$D"; echo "nft cannot reload the current ruleset as listed, so there is no safe way back; nothing changed" >&2; exit 3
fi
if rb_fw_configured_denies && "$NFT" -c -f /etc/nftables.conf >/dev/null 2>&1; then
  source=configured
  cp /etc/nftables.conf "$D/apply.nft"
else
  source=baseline
  ports=$(rb_fw_ssh_ports)
  # Only the table inet filter is replaced (create, delete, recreate in one transaction): other
  # tables (container NAT, front ends) stay as they are.
  cat > "$D/apply.nft" <<OSIRIS_NFT
table inet filter
delete table inet filter
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif "lo" accept
    ct state established,related accept
    meta l4proto { icmp, ipv6-icmp } accept
    tcp dport { $ports } accept
  }
}
OSIRIS_NFT
  "$NFT" -c -f "$D/apply.nft" || { rm -rf "$D"; echo "nft rejects the baseline ruleset; nothing changed" >&2; exit 3; }
fi
# Commit-confirm: the timer runs in its own session, so it outlives this SSH session.
: > "$D/pending"
setsid sh -c 'echo $$ > "$2/timer.pid"; sleep "$1"; mv "$2/pending" "$2/firing" 2>/dev/null || exit 0
  if "$3" -f "$2/saved.nft"; then rm -rf "$2"; else mv "$2/firing" "$2/failed"; fi' osiris-fw-revert "$P_CONFIRM_SECONDS" "$D" "$NFT" </dev/null >/dev/null 2>&1 &
i=0
while [ ! -s "$D/timer.pid" ]; do
  i=$((i + 1))
  if [ "$i" -gt 50 ]; then mv "$D/pending" "$D/cancelled"; rb_fw_stop_timer; rm -rf "$D"; echo "the revert timer did not start; nothing changed" >&2; exit 1; fi
  sleep 0.1
done
if ! "$NFT" -f "$D/apply.nft"; then
  mv "$D/pending" "$D/cancelled" 2>/dev/null; rb_fw_stop_timer; rm -rf "$D"
  echo "nft could not load the $source ruleset; nothing changed" >&2; exit 3
fi
echo "loaded the $source ruleset; it reverts by itself in $P_CONFIRM_SECONDS s unless confirmed"
`;

const VERIFY = `${FW_LIB}if mv "$D/pending" "$D/confirmed" 2>/dev/null; then
  rb_fw_stop_timer
  rm -rf "$D"
  echo "confirmed: the automatic revert is cancelled"
  echo "verified=yes"
else
  echo "no automatic revert is pending: it already restored the previous ruleset" >&2
  exit 1
fi
`;

const ROLLBACK = `${FW_LIB}if mv "$D/pending" "$D/rolling-back" 2>/dev/null || mv "$D/failed" "$D/rolling-back" 2>/dev/null; then
  rb_fw_stop_timer
  "$NFT" -f "$D/saved.nft" || { echo "cannot restore the saved ruleset (kept in $D)" >&2; exit 1; }
  rm -rf "$D"
  echo "restored the ruleset from before the change"
  exit 0
fi
i=0
while [ -e "$D/firing" ] && [ "$i" -lt 50 ]; do i=$((i + 1)); sleep 0.2; done
if [ -e "$D/firing" ]; then echo "the automatic revert is still running" >&2; exit 1; fi
echo "nothing pending: the automatic revert already restored the previous ruleset, or nothing was changed"
`;

const CAPTURE = `${FW_LIB}echo "## nft list ruleset"
if [ -n "$NFT" ]; then "$NFT" list ruleset 2>&1; else echo "nft is not installed"; fi
echo "## /etc/nftables.conf"
if [ -f /etc/nftables.conf ]; then cksum < /etc/nftables.conf; else echo "absent"; fi
echo "## automatic revert"
if [ -e "$D/pending" ]; then echo "pending"; else echo "none"; fi
`;

export const firewallDefaultDenyInput: RunbookDefinition = {
  id: 'rb-linux.firewall.default-deny-input',
  title: 'Load a default-deny nftables input policy, reverted unless confirmed',
  description:
    'Loads /etc/nftables.conf when it validates and drops inbound by default, else a baseline inet filter input chain (policy drop; loopback, established, ICMP and the sshd ports allowed). Commit-confirm: the previous ruleset comes back by itself after confirmSeconds unless the appliance, still connected, confirms, so a ruleset that cuts off SSH undoes itself.',
  platform: 'linux',
  checks: ['linux.firewall.default-deny-input'],
  params: z.strictObject({
    confirmSeconds: z.number().int().min(10).max(MAX_CONFIRM_SECONDS).default(30),
  }),
  detect: DETECT,
  remediate: REMEDIATE,
  verify: VERIFY,
  rollback: ROLLBACK,
  captureState: CAPTURE,
  // Longer than the longest confirm window plus TCP back-off: see the timing note above.
  timeoutSeconds: MAX_CONFIRM_SECONDS + 60,
  // A firewall change that did not verify is not tried again in the same execution.
  retries: { max: 0, backoffSeconds: 0 },
  // Self-reverting (commit-confirm): a ruleset that cuts anyone off is undone within confirmSeconds.
  disruptive: false,
  requiresMaintenanceWindow: false,
  requiresReboot: false,
  allowConcurrent: false,
};
