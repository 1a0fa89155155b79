import { z } from 'zod';
import type { RunbookDefinition } from '../runbook';
import { BACKUP_LIB, SYSTEMD_LIB } from './shell-lib';

interface ForbiddenServiceSpec {
  checkId: string;
  title: string;
  description: string;
  packages: { debian: readonly string[]; rhel: readonly string[] };
  units: readonly string[];
  sysvScripts: readonly string[];
  inetdServices: readonly string[];
  processes: readonly string[];
  tcpPorts: readonly number[];
}

/** sh: the pids listening on the given TCP ports, found through /proc (no ss or lsof needed). */
const PORT_PIDS_SH = `rb_port_pids() {
  inodes=$(awk -v want=" $* " 'function hex(s,  i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", toupper(substr(s, i, 1))) - 1; return n }
    FNR > 1 && $4 == "0A" { split($2, a, ":"); if (index(want, " " hex(a[length(a)]) " ")) print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  [ -n "$inodes" ] || return 0
  for fd in /proc/[0-9]*/fd/*; do
    l=$(readlink "$fd" 2>/dev/null) || continue
    for i in $inodes; do [ "$l" = "socket:[$i]" ] && { p=\${fd#/proc/}; echo "\${p%%/*}"; }; done
  done | sort -u
}
`;

function probeSh(spec: ForbiddenServiceSpec): string {
  const pkgs = [...spec.packages.debian, ...spec.packages.rhel].join(' ');
  return `${BACKUP_LIB}${SYSTEMD_LIB}${PORT_PIDS_SH}UNITS="${spec.units.join(' ')}"
INETD_RE='^[[:space:]]*(${spec.inetdServices.join('|')})[[:space:]]'
rb_installed() {
  if command -v dpkg-query >/dev/null 2>&1; then dpkg-query -W -f='\${Package} \${Status}\\n' ${pkgs} 2>/dev/null | awk '$NF == "installed" {print $1}'
  elif command -v rpm >/dev/null 2>&1; then rpm -q --qf '%{NAME}\\n' ${pkgs} 2>/dev/null | grep -v ' '; fi
}
rb_procs() {
  for d in /proc/[0-9]*; do
    c=$(cat "$d/comm" 2>/dev/null) || continue
    case " ${spec.processes.join(' ')} " in *" $c "*) echo "\${d#/proc/}" ;; esac
  done
}
rb_inetd_files() { grep -lsE "$INETD_RE" /etc/inetd.conf /etc/inetd.conf.d/* 2>/dev/null; }
rb_xinetd_files() {
  for f in /etc/xinetd.d/*; do
    [ -f "$f" ] || continue
    awk -v names=" ${spec.inetdServices.join(' ')} " '/^[ \\t]*service[ \\t]/ { svc = $2; dis = "no" } /^[ \\t]*disable[ \\t]*=/ { v = $0; sub(/.*=[ \\t]*/, "", v); dis = v } /^[ \\t]*}/ { if (svc != "" && index(names, " " svc " ") && dis != "yes") bad = 1; svc = "" } END { exit !bad }' "$f" && echo "$f"
  done
}
rb_units_on() {
  for u in $UNITS; do
    if rb_has_systemd; then
      systemctl is-enabled --quiet "$u" 2>/dev/null && echo "$u" && continue
      systemctl is-active --quiet "$u" 2>/dev/null && echo "$u"
    else
      for w in /etc/systemd/system/*.wants/"$u"; do [ -L "$w" ] && echo "$w"; done
    fi
  done
}
rb_sysv_links() { for s in ${spec.sysvScripts.join(' ') || ':'}; do ls /etc/rc[2-5].d/S??"$s" 2>/dev/null; done; }
rb_found() {
  rb_installed; rb_procs; rb_inetd_files; rb_xinetd_files; rb_units_on; rb_sysv_links; rb_port_pids ${spec.tcpPorts.join(' ')}
}
`;
}

function remediateSh(spec: ForbiddenServiceSpec, removePackages: string): string {
  return `${probeSh(spec)}for u in $UNITS; do
  if rb_has_systemd; then
    if systemctl cat "$u" >/dev/null 2>&1; then systemctl disable --now "$u" 2>/dev/null || true; systemctl mask "$u"; echo "masked $u"; fi
  else
    for w in /etc/systemd/system/*.wants/"$u"; do [ -L "$w" ] && rm -f "$w" && echo "removed $w"; done
  fi
done
for l in $(rb_sysv_links); do rm -f "$l"; echo "removed $l"; done
for f in $(rb_inetd_files); do rb_backup "$f"; sed -i -E "s/$INETD_RE/#osiris-disabled# &/" "$f"; echo "disabled entries in $f"; done
for f in $(rb_xinetd_files); do
  rb_backup "$f"
  awk -v names=" ${spec.inetdServices.join(' ')} " '/^[ \\t]*service[ \\t]/ { svc = index(names, " " $2 " ") }
    svc && /^[ \\t]*disable[ \\t]*=/ { next } svc && /^[ \\t]*}/ { print "\\tdisable = yes"; svc = 0 } { print }' "$f" > "$f.osiris-new"
  cat "$f.osiris-new" > "$f"; rm -f "$f.osiris-new"; echo "disabled entries in $f"
done
# Make inetd/xinetd drop the entries, then stop whatever still serves the ports.
for d in inetd xinetd; do for p in $(pidof "$d" 2>/dev/null); do kill -HUP "$p"; done; done
sleep 1
pids=$( { rb_procs; rb_port_pids ${spec.tcpPorts.join(' ')}; } | sort -u)
if [ -n "$pids" ]; then kill $pids 2>/dev/null; sleep 2; kill -9 $pids 2>/dev/null; echo "stopped $pids"; fi
if [ "$P_REMOVE_PACKAGES" = true ] && [ -n "$(rb_installed)" ]; then
${removePackages}
fi
true
`;
}

/**
 * Removes a forbidden network service the way the check finds it: units, SysV links, inetd and
 * xinetd entries, running processes and listeners, and (by default) the packages. Anyone using
 * the service loses their session, so it is disruptive.
 */
export function defineForbiddenServiceRunbook(spec: ForbiddenServiceSpec): RunbookDefinition {
  const debianRemove = `  DEBIAN_FRONTEND=noninteractive apt-get remove -y ${spec.packages.debian.join(' ')} 2>&1 | tail -n 5`;
  const rhelRemove = `  if command -v dnf >/dev/null 2>&1; then dnf remove -y ${spec.packages.rhel.join(' ')}; else yum remove -y ${spec.packages.rhel.join(' ')}; fi 2>&1 | tail -n 5`;
  return {
    id: `rb-${spec.checkId}`,
    title: spec.title,
    description: spec.description,
    platform: 'linux',
    checks: [spec.checkId],
    params: z.strictObject({ removePackages: z.boolean().default(true) }),
    detect: `${probeSh(spec)}if [ -n "$(rb_found)" ]; then echo needed=yes; else echo needed=no; fi\n`,
    remediate: {
      default: remediateSh(spec, '  echo "no known package manager: packages left installed: $(rb_installed)"'),
      debian: remediateSh(spec, debianRemove),
      rhel: remediateSh(spec, rhelRemove),
    },
    rollback: `${BACKUP_LIB}rb_restore\n`,
    captureState: `${probeSh(spec)}rb_found | while IFS= read -r x; do echo "found $x"; done\n`,
    timeoutSeconds: 180,
    retries: { max: 1, backoffSeconds: 5 },
    disruptive: true,
    requiresMaintenanceWindow: false,
    requiresReboot: false,
    allowConcurrent: false,
  };
}
