import type { LabDrift } from './types';

/**
 * Drifts for the accounts, files and system checks. Every script changes only what a lab host owns
 * (its overlaid /etc, /var, /home, /root and its private /tmp mount); lab hosts share this machine's
 * binaries, kernel and block devices, so checks that hinge on those cannot be made to pass or fail here.
 * sshd in a lab host runs with UsePAM no and key authentication, so PAM, password and shadow changes
 * never touch root's key login.
 */

/** An apt source and package lists planted under the host's own /etc and /var: a security pocket apt can read offline. */
const LAB_APT_LIST = '/var/lib/apt/lists/osiris-lab.invalid_debian-security_dists_bookworm-security';
const PLANT_LAB_SECURITY_SOURCE = `set -e
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] http://osiris-lab.invalid/debian-security bookworm-security main' > /etc/apt/sources.list.d/osl-lab.list
rm -f /var/lib/apt/lists/*_*
printf 'Origin: Debian\\nLabel: Debian-Security\\nSuite: bookworm-security\\nCodename: bookworm-security\\nArchitectures: amd64\\nComponents: main\\n' > ${LAB_APT_LIST}_Release
: > ${LAB_APT_LIST}_main_binary-amd64_Packages
`;

const LOCKOUT_AUTH_STACK = `auth	requisite	pam_faillock.so preauth
auth	[success=2 default=ignore]	pam_unix.so nullok
auth	[default=die]	pam_faillock.so authfail
auth	requisite	pam_deny.so
auth	required	pam_permit.so
`;

/** Accounts that hold a usable password hash (on a fresh lab host: none, root is '*'). */
const PASSWORD_ACCOUNTS = `awk -F: '$2 != "" && $2 !~ /^[!*]/ { print $1 }' /etc/shadow`;

export const DRIFTS_GROUP_B: readonly LabDrift[] = [
  {
    checkId: 'linux.accounts.uid0-only-root',
    drift: `set -e
echo 'osltoor:x:0:0:lab drift:/root:/usr/sbin/nologin' >> /etc/passwd
echo 'osltoor:!:20000:0:99999:7:::' >> /etc/shadow`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.accounts.no-empty-passwords',
    drift: `set -e
useradd -M -s /usr/sbin/nologin oslempty
passwd -d oslempty >/dev/null`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.accounts.password-ageing',
    harden: `set -e
sed -i -e 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS 90/' -e 's/^PASS_MIN_DAYS.*/PASS_MIN_DAYS 1/' -e 's/^PASS_WARN_AGE.*/PASS_WARN_AGE 7/' /etc/login.defs
for u in $(${PASSWORD_ACCOUNTS}); do chage --maxdays 90 --mindays 1 --warndays 7 "$u"; done`,
    drift: `sed -i 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS 99999/' /etc/login.defs`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.accounts.inactive-lock',
    harden: `set -e
useradd -D -f 30
for u in $(${PASSWORD_ACCOUNTS}); do chage --inactive 30 "$u"; done`,
    drift: 'useradd -D -f -1',
    baseline: 'pass',
  },
  // pam_pwquality.so is not installed on this machine and lab hosts share its /usr, so the password
  // stack cannot be made to pass here; a fresh host fails (no pwquality line), which is the drift.
  { checkId: 'linux.accounts.password-quality', baseline: 'fail' },
  {
    checkId: 'linux.accounts.lockout',
    harden: `set -e
cat > /etc/pam.d/common-auth <<'OSL_EOF'
${LOCKOUT_AUTH_STACK}OSL_EOF
grep -q pam_faillock /etc/pam.d/common-account || echo 'account	required	pam_faillock.so' >> /etc/pam.d/common-account
printf 'deny = 5\\nunlock_time = 900\\n' > /etc/security/faillock.conf`,
    drift: `printf 'deny = 10\\nunlock_time = 900\\n' > /etc/security/faillock.conf`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.session.shell-timeout',
    // Only login shells read /etc/profile.d; the appliance's non-interactive SSH commands are unaffected.
    harden: `printf 'readonly TMOUT=900; export TMOUT\\n' > /etc/profile.d/60-osiris-tmout.sh`,
    drift: `printf 'TMOUT=3600; export TMOUT\\n' > /etc/profile.d/60-osiris-tmout.sh`,
    baseline: 'pass',
  },
  { checkId: 'linux.files.shadow-permissions', drift: 'chmod 0644 /etc/shadow', baseline: 'pass' },
  // Group-writable rather than world-writable: the world-writable scan must only see its own drift.
  { checkId: 'linux.files.gshadow-permissions', drift: 'chmod 0660 /etc/gshadow', baseline: 'pass' },
  { checkId: 'linux.files.passwd-permissions', drift: 'chmod 0664 /etc/passwd', baseline: 'pass' },
  {
    checkId: 'linux.files.sshd-config-permissions',
    // The lab sshd_config is written 0644 at create; sshd reads it only at start, so modes do not affect it.
    // The drifted drop-in is a comment and the lab config has no Include: sshd behaves the same.
    harden: 'chmod 0600 /etc/ssh/sshd_config; chmod 0600 /etc/ssh/sshd_config.d/* 2>/dev/null; true',
    drift: `set -e
printf '# osiris lab drift\\n' > /etc/ssh/sshd_config.d/50-osl-drift.conf
chmod 0644 /etc/ssh/sshd_config.d/50-osl-drift.conf`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.files.sudoers-permissions',
    // sudo is not installed here (a fresh host passes: no rules); a group-writable rule file still fails.
    drift: `set -e
mkdir -p /etc/sudoers.d
printf '# osiris lab drift\\n' > /etc/sudoers.d/50-osl-drift
chmod 0664 /etc/sudoers.d/50-osl-drift`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.files.world-writable',
    drift: `set -e
printf 'lab drift\\n' > /etc/osl-drift-world-writable
chmod 0666 /etc/osl-drift-world-writable`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.files.unowned',
    drift: `set -e
touch /root/osl-drift-unowned
chown 54321:54321 /root/osl-drift-unowned`,
    baseline: 'pass',
  },
  // AppArmor/SELinux is a property of this machine's kernel, which lab hosts share: no MAC is loaded here,
  // so a fresh host fails and nothing inside a host can change that.
  { checkId: 'linux.mac.enforcing', baseline: 'fail' },
  {
    checkId: 'linux.patch.security-updates',
    // Replaces the host's apt sources and lists with one planted security pocket: empty (pass), then
    // offering a newer base-files (fail). apt-get -s reads these lists offline.
    harden: PLANT_LAB_SECURITY_SOURCE,
    drift: `set -e
v=$(dpkg-query -W -f='\${Version}' base-files)
printf 'Package: base-files\\nVersion: %s+osl1\\nArchitecture: amd64\\nFilename: pool/b/base-files.deb\\nSize: 1\\nMD5sum: 00000000000000000000000000000000\\n\\n' "$v" > ${LAB_APT_LIST}_main_binary-amd64_Packages`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.patch.age',
    // The host's package history is its own /var/log: an upgrade logged now (pass), or only 60 days ago (fail).
    harden: `set -e
rm -f /var/log/dpkg.log.* /var/log/apt/history.log.*
printf '%s upgrade osl-lab:all 1.0 1.1\\n' "$(date '+%Y-%m-%d %H:%M:%S')" >> /var/log/dpkg.log`,
    drift: `set -e
rm -f /var/log/dpkg.log.* /var/log/apt/history.log*
printf '%s upgrade osl-lab:all 1.0 1.1\\n' "$(date -d '60 days ago' '+%Y-%m-%d %H:%M:%S')" > /var/log/dpkg.log`,
    baseline: 'pass',
  },
  // Encryption is a property of this machine's block devices (lab hosts mount the same root disk): a
  // fresh host fails and no script inside a host can encrypt or decrypt a device.
  { checkId: 'linux.disk.encryption', baseline: 'fail' },
  {
    checkId: 'linux.disk.free-space',
    // Fills the host's private 64 MiB /tmp tmpfs (memory, gone at reset), never this machine's disk.
    // The baseline assumes this machine's own filesystems are below 90 %.
    drift: `set -e
avail=$(df -P -k /tmp | awk 'NR == 2 { print $4 }')
dd if=/dev/zero of=/tmp/osl-drift-fill bs=1024 count=$((avail - 1024)) 2>/dev/null`,
    baseline: 'pass',
  },
  {
    checkId: 'linux.mount.tmp-options',
    // The host's /tmp is its own tmpfs mount; remounting it changes nothing outside the host.
    harden: 'mount -o remount,nodev,nosuid,noexec /tmp',
    drift: 'mount -o remount,exec /tmp',
    baseline: 'pass',
  },
  // AIDE is not installed on this machine and hosts share its /usr: a fresh host fails; nothing to drift.
  { checkId: 'linux.integrity.aide', baseline: 'fail' },
  // No backup agent is installed and hosts run no systemd, so no backup run can be recorded: fresh hosts fail.
  { checkId: 'linux.backup.recent', baseline: 'fail' },
];
