import { GATEWAY_IP, OVERLAID_DIRS, SSH_PORT } from './host-layout';

/**
 * Shell run inside a host (nsenter into its mount, UTS, IPC, net and PID namespaces). Parameters come
 * in as environment variables, never interpolated: OSL_NAME, OSL_IP, OSL_PEER, OSL_FS, OSL_PUBKEY.
 * The state dir is bind-mounted at /run/.osl-state so reset can find the overlay layers after the
 * host's private /tmp hides the machine's /tmp.
 */
const COMMON = `set -eu
F=/run/.osl-state
DIRS="${OVERLAID_DIRS.join(' ')}"
mount_layers() {
  for d in $DIRS; do
    mount -t overlay osl-overlay -o "lowerdir=/$d,upperdir=$F/upper/$d,workdir=$F/work/$d" "/$d"
  done
  mount -t tmpfs -o mode=1777,size=64m osl-tmp /tmp
}
configure_network() {
  ip link set lo up
  ip addr flush dev eth0
  ip addr add "$OSL_IP/24" dev eth0
  ip link set eth0 up
}
start_services() {
  hostname "$OSL_NAME"
  mkdir -p /run/sshd /run/lock
  chmod 0755 /run/sshd
  nft -f /etc/nftables.conf
  /usr/sbin/sshd -t
  /usr/sbin/sshd -E /var/log/osl-sshd.log
}
`;

const SSHD_CONFIG = `# sshd of an OsirisCare lab host: key authentication only
Port ${SSH_PORT}
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
AuthenticationMethods publickey
UsePAM no
PidFile /run/sshd.pid
Subsystem sftp /usr/lib/openssh/sftp-server
`;

const NFT_CONFIG = `#!/usr/sbin/nft -f
flush ruleset
table inet filter {
  chain input { type filter hook input priority filter; policy accept; }
  chain forward { type filter hook forward priority filter; policy accept; }
  chain output { type filter hook output priority filter; policy accept; }
}
`;

/** First boot: private /run, overlays, identity, host keys generated inside, snapshot, services. */
export const SETUP_SCRIPT = `${COMMON}
mount -t tmpfs -o mode=0755,size=16m osl-run /run
mkdir -p "$F"
mount --bind "$OSL_FS" "$F"
mount_layers
ip link set "$OSL_PEER" name eth0
configure_network
echo "$OSL_NAME" > /etc/hostname
printf '127.0.0.1 localhost\\n%s %s\\n' "$OSL_IP" "$OSL_NAME" > /etc/hosts
printf '%s\\n' "${GATEWAY_IP} osiris-lab-gateway" >> /etc/hosts
rm -f /etc/ssh/ssh_host_*
rm -rf /etc/ssh/sshd_config.d
mkdir -p /etc/ssh/sshd_config.d
ssh-keygen -q -t ed25519 -N '' -C "root@$OSL_NAME" -f /etc/ssh/ssh_host_ed25519_key
cat > /etc/ssh/sshd_config <<'OSL_EOF'
${SSHD_CONFIG}OSL_EOF
cat > /etc/nftables.conf <<'OSL_EOF'
${NFT_CONFIG}OSL_EOF
usermod -p '*' root
mkdir -p /root/.ssh
chmod 0700 /root/.ssh
printf '%s\\n' "$OSL_PUBKEY" > /root/.ssh/authorized_keys
chmod 0600 /root/.ssh/authorized_keys
for d in $DIRS; do cp -a "$F/upper/$d" "$F/snapshot/$d"; done
start_services
`;

/**
 * Reset to the snapshot taken at create: stop every process but the holder's init, drop the overlays,
 * restore the upper dirs from the snapshot, clear /run and /tmp, reload nftables from the host's
 * (restored) /etc/nftables.conf, set the address and hostname again and start sshd.
 */
export const RESET_SCRIPT = `${COMMON}
kill -KILL -1 2>/dev/null || true
unmount_all() {
  for m in /tmp /etc /var /home /root; do
    if mountpoint -q "$m"; then umount "$m" || return 1; fi
  done
}
tries=0
until unmount_all; do
  tries=$((tries + 1))
  if [ "$tries" -ge 50 ]; then echo "cannot unmount the host's layers" >&2; exit 1; fi
  kill -KILL -1 2>/dev/null || true
  sleep 0.1
done
for d in $DIRS; do
  rm -rf "$F/upper/$d" "$F/work/$d"
  cp -a "$F/snapshot/$d" "$F/upper/$d"
  mkdir "$F/work/$d"
done
find /run -mindepth 1 -maxdepth 1 ! -name .osl-state -exec rm -rf {} +
mount_layers
configure_network
start_services
`;
