/**
 * POSIX sh helpers shared by the Linux runbooks. Each runbook script embeds the helpers it uses, so a
 * definition stays self-contained and the executor needs no knowledge of what a script does.
 *
 * Backups: the executor exports RB_STATE_DIR (one directory per execution). `rb_backup` copies a file
 * there the first time it is touched in that execution, so a retried remediation never overwrites
 * the original with an already-changed copy; `rb_restore` puts every backed-up file back.
 */
export const BACKUP_LIB = `rb_backup() {
  for f in "$@"; do
    b="$RB_STATE_DIR/files$f"
    if [ -e "$b" ] || [ -e "$b.osiris-absent" ]; then continue; fi
    mkdir -p "\${b%/*}"
    if [ -e "$f" ]; then cp -p "$f" "$b"; else : > "$b.osiris-absent"; fi
  done
}
rb_restore() {
  [ -d "$RB_STATE_DIR/files" ] || { echo "nothing to restore"; return 0; }
  (cd "$RB_STATE_DIR/files" && find . -type f) | while IFS= read -r rel; do
    f=\${rel#.}
    case "$f" in
      *.osiris-absent) rm -f "\${f%.osiris-absent}" ;;
      *) cp -p "$RB_STATE_DIR/files$f" "$f" ;;
    esac
    echo "restored \${f%.osiris-absent}"
  done
}
`;

/** Whether systemd manages this host (containers and lab hosts run without it). */
export const SYSTEMD_LIB = `rb_has_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }
`;

/**
 * sshd uses the first value it reads for a keyword, so settings go on the first lines of
 * sshd_config, before any Include or Match block: no drop-in can override them and they apply to
 * every connection. Edits happen on a copy that must pass \`sshd -t\` before it replaces the file;
 * after the reload sshd must still be running, otherwise the old file is put back at once.
 */
export const SSHD_LIB = `${BACKUP_LIB}${SYSTEMD_LIB}SSHD=
for p in "$(command -v sshd 2>/dev/null)" /usr/sbin/sshd /usr/local/sbin/sshd /sbin/sshd; do
  if [ -n "$p" ] && [ -x "$p" ]; then SSHD=$p; break; fi
done
[ -n "$SSHD" ] || { echo "sshd is not installed" >&2; exit 3; }
SSHD_CONFIG=/etc/ssh/sshd_config
SSHD_NEW="$SSHD_CONFIG.osiris-new"
rb_sshd_value() { "$SSHD" -T 2>/dev/null | awk -v k="$1" 'tolower($1) == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
rb_sshd_begin() { cp -p "$SSHD_CONFIG" "$SSHD_NEW"; }
# Comments out global lines for the keyword (not those inside Match blocks) and puts the value on line 1.
rb_sshd_set() {
  awk -v k="$1" '
    /^[[:space:]]*[Mm][Aa][Tt][Cc][Hh][[:space:]]/ { inmatch = 1 }
    { split($1, w, "="); if (!inmatch && tolower(w[1]) == tolower(k)) { print "#osiris-replaced# " $0; next } print }
  ' "$SSHD_NEW" > "$SSHD_NEW.body"
  { printf '%s %s\\n' "$1" "$2"; cat "$SSHD_NEW.body"; } > "$SSHD_NEW"
  rm -f "$SSHD_NEW.body"
}
rb_sshd_pid() { for f in /run/sshd.pid /var/run/sshd.pid; do [ -s "$f" ] && { cat "$f"; return 0; }; done; return 1; }
rb_sshd_reload() {
  if rb_has_systemd; then
    for u in ssh sshd; do
      if systemctl is-active --quiet "$u.service"; then systemctl reload "$u.service"; return $?; fi
    done
    # Socket-activated sshd (Ubuntu 22.10+) reads the file at the next connection.
    systemctl is-active --quiet ssh.socket && return 0
  fi
  pid=$(rb_sshd_pid) || { echo "no running sshd to reload" >&2; return 1; }
  kill -HUP "$pid"
}
# sshd re-executes on SIGHUP: its port is closed for a moment, so wait until it listens again.
rb_sshd_listening() {
  port=$("$SSHD" -T 2>/dev/null | awk '$1 == "port" { print $2; exit }')
  hex=$(printf ':%04X ' "\${port:-22}")
  i=0
  while [ "$i" -lt 50 ]; do
    awk -v h="$hex" 'FNR > 1 && $4 == "0A" && index($2 " ", h) { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
    i=$((i + 1)); sleep 0.2
  done
  return 1
}
rb_sshd_alive() {
  sleep 0.5
  rb_sshd_listening || return 1
  if rb_has_systemd; then
    for u in ssh sshd; do systemctl is-active --quiet "$u.service" && return 0; done
    systemctl is-active --quiet ssh.socket && return 0
    return 1
  fi
  pid=$(rb_sshd_pid) && kill -0 "$pid" 2>/dev/null
}
rb_sshd_commit() {
  if ! "$SSHD" -t -f "$SSHD_NEW"; then
    rm -f "$SSHD_NEW"; echo "sshd rejects the new configuration; nothing was changed" >&2; exit 3
  fi
  rb_backup "$SSHD_CONFIG"
  cat "$SSHD_NEW" > "$SSHD_CONFIG"
  rm -f "$SSHD_NEW"
  if ! rb_sshd_reload || ! rb_sshd_alive; then
    echo "sshd did not come back after the reload; restoring the previous configuration" >&2
    rb_restore >&2; rb_sshd_reload; exit 3
  fi
  echo "sshd configuration updated and reloaded"
}
rb_sshd_rollback() {
  rb_restore
  "$SSHD" -t || { echo "restored configuration is invalid" >&2; exit 4; }
  rb_sshd_reload
}
`;

/** Prints sshd_config's global settings and sshd -T's effective values for the keywords. */
export function sshdCaptureState(keywords: readonly string[]): string {
  const pattern = keywords.map((k) => k.toLowerCase()).join('|');
  return `${SSHD_LIB}echo "## effective (sshd -T)"
"$SSHD" -T 2>&1 | grep -Ei '^(${pattern}) ' | sort
echo "## $SSHD_CONFIG"
grep -Ein '^[[:space:]]*#?osiris|^[[:space:]]*(${pattern})[[:space:]=]' "$SSHD_CONFIG"
stat -c '%a %U:%G %n' "$SSHD_CONFIG"
`;
}
