/**
 * A read-only probe for "is this service installed, enabled, running or listening", shared by the
 * forbidden-service checks and the required-daemon checks in ../logging. Every method is reported
 * separately so the evidence says how an answer was found:
 *   packages   dpkg-query or rpm (none when neither exists);
 *   processes  /proc/<pid>/comm (works without ps, and inside containers without systemd);
 *   units      systemctl when systemd is PID 1, otherwise unit files and *.wants symlinks;
 *   sysv       /etc/rc[2-5].d/S* links;
 *   inetd      /etc/inetd.conf(.d) lines and xinetd service blocks;
 *   listening  /proc/net/{tcp,tcp6,udp,udp6}.
 */
import type { ParsedOutput } from '../ssh/collector-output';
import { section } from '../ssh/collector-output';

export interface ProbeSpec {
  packages?: readonly string[];
  /** Process names as in /proc/<pid>/comm (at most 15 characters: the kernel truncates longer ones). */
  processes?: readonly string[];
  units?: readonly string[];
  sysvScripts?: readonly string[];
  inetdServices?: readonly string[];
  tcpPorts?: readonly number[];
  udpPorts?: readonly number[];
  /** Executables whose presence means "installed" when the package database says nothing. */
  binaries?: readonly string[];
}

const words = (list: readonly (string | number)[] | undefined): string => (list ?? []).join(' ');

const PORT_AWK = `function hex(s,  i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", toupper(substr(s, i, 1))) - 1; return n }
FNR > 1 { split($2, a, ":"); p = hex(a[length(a)]); if ((proto == "tcp" && $4 == "0A") || proto == "udp") if (index(" " want " ", " " p " ")) print proto "|" p }`;

const XINETD_AWK = `/^[ \\t]*service[ \\t]/ {svc = $2; dis = "no"; next}
/^[ \\t]*disable[ \\t]*=/ {v = $0; sub(/.*=[ \\t]*/, "", v); dis = v}
/^[ \\t]*}/ {if (svc != "" && index(" " names " ", " " svc " ")) print "xinetd|" FILENAME "|" svc "|disable=" dis; svc = ""}`;

/** The probe as sh, without prelude or end marker, so a check can add its own sections. */
export function probeScript(spec: ProbeSpec): string {
  return `if command -v dpkg-query >/dev/null 2>&1; then echo "pkg_tool=dpkg"; elif command -v rpm >/dev/null 2>&1; then echo "pkg_tool=rpm"; else echo "pkg_tool=none"; fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo "systemd=running"; else echo "systemd=absent"; fi
echo "### packages"
PKGS="${words(spec.packages)}"
if [ -n "$PKGS" ]; then
  if command -v dpkg-query >/dev/null 2>&1; then dpkg-query -W -f='\${Package} \${Status}\\n' $PKGS 2>/dev/null | awk '$NF == "installed" {print $1}'
  elif command -v rpm >/dev/null 2>&1; then rpm -q --qf '%{NAME}\\n' $PKGS 2>/dev/null | grep -v ' ' ; fi
fi
for b in ${words(spec.binaries)}; do for d in /usr/sbin /usr/bin /sbin /bin /usr/lib/systemd /lib/systemd; do [ -x "$d/$b" ] && echo "binary:$d/$b"; done; done
echo "### processes"
NAMES=" ${words(spec.processes)} "
if [ "$NAMES" != "  " ]; then
  for d in /proc/[0-9]*; do
    c=$(cat "$d/comm" 2>/dev/null) || continue
    case "$NAMES" in *" $c "*) echo "\${d#/proc/} $c" ;; esac
  done | head -n 20
fi
echo "### units"
for u in ${words(spec.units)}; do
  file=none
  for d in /etc/systemd/system /run/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
    if [ -e "$d/$u" ] || [ -L "$d/$u" ]; then file="$d/$u"; break; fi
  done
  if [ -L "/etc/systemd/system/$u" ] && [ "$(readlink "/etc/systemd/system/$u")" = /dev/null ]; then en=masked
  elif ls /etc/systemd/system/*.wants/"$u" >/dev/null 2>&1; then en=yes
  else en=no; fi
  act=unknown
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    act=$(systemctl is-active "$u" 2>/dev/null | head -n 1)
    e=$(systemctl is-enabled "$u" 2>/dev/null | head -n 1)
    case "$e" in enabled|enabled-runtime|static|indirect|alias) en=yes ;; masked|masked-runtime) en=masked ;; *) en=no ;; esac
  fi
  echo "$u|file=$file|enabled=$en|active=\${act:-unknown}"
done
echo "### sysv"
for s in ${words(spec.sysvScripts)}; do ls /etc/rc[2345].d/S[0-9][0-9]"$s" /etc/rc[2345].d/S"$s" 2>/dev/null | head -n 4; done
echo "### inetd"
INETD="${words(spec.inetdServices)}"
if [ -n "$INETD" ]; then
  for f in /etc/inetd.conf /etc/inetd.d/*; do
    [ -f "$f" ] || continue
    awk -v names="$INETD" -v f="$f" '$1 !~ /^#/ && index(" " names " ", " " $1 " ") {print "inetd|" f "|" $1}' "$f"
  done
  for f in /etc/xinetd.conf /etc/xinetd.d/*; do [ -f "$f" ] && awk -v names="$INETD" '${XINETD_AWK}' "$f"; done
fi | head -n 20
echo "### listening"
for proto in tcp udp; do
  if [ $proto = tcp ]; then want="${words(spec.tcpPorts)}"; else want="${words(spec.udpPorts)}"; fi
  [ -n "$want" ] || continue
  for f in /proc/net/$proto /proc/net/\${proto}6; do [ -r "$f" ] && awk -v proto=$proto -v want="$want" '${PORT_AWK}' "$f"; done
done | sort -u | head -n 20
`;
}

interface UnitState {
  unit: string;
  file: string | null;
  enabled: 'yes' | 'no' | 'masked';
  active: string;
}

export interface ProbeFacts {
  pkgTool: string;
  isSystemdRunning: boolean;
  packages: string[];
  binaries: string[];
  processes: string[];
  units: UnitState[];
  sysv: string[];
  inetd: string[];
  listening: string[];
}

const UNIT_LINE = /^([^|]+)\|file=([^|]*)\|enabled=(yes|no|masked)\|active=(.*)$/;

/** Reads the probe's fields and sections; a string is the reason the output is malformed. */
export function readProbe(parsed: ParsedOutput): ProbeFacts | string {
  const pkgTool = parsed.fields.get('pkg_tool');
  const systemd = parsed.fields.get('systemd');
  if (!pkgTool || !['dpkg', 'rpm', 'none'].includes(pkgTool)) return 'the package tool line is missing';
  if (systemd !== 'running' && systemd !== 'absent') return 'the systemd line is missing';
  const packages: string[] = [];
  const binaries: string[] = [];
  for (const line of section(parsed, 'packages')) {
    if (line.startsWith('binary:')) binaries.push(line.slice(7));
    else if (/^[A-Za-z0-9.+_-]+$/.test(line)) packages.push(line);
    else return `unexpected package line "${line.slice(0, 60)}"`;
  }
  const processes: string[] = [];
  for (const line of section(parsed, 'processes')) {
    if (!/^\d+ \S+/.test(line)) return `unexpected process line "${line.slice(0, 60)}"`;
    processes.push(line);
  }
  const units: UnitState[] = [];
  for (const line of section(parsed, 'units')) {
    const m = UNIT_LINE.exec(line);
    if (!m) return `unexpected unit line "${line.slice(0, 60)}"`;
    units.push({
      unit: m[1] as string,
      file: m[2] === 'none' ? null : (m[2] as string),
      enabled: m[3] as UnitState['enabled'],
      active: m[4] as string,
    });
  }
  const listening: string[] = [];
  for (const line of section(parsed, 'listening')) {
    if (!/^(tcp|udp)\|\d+$/.test(line)) return `unexpected listening line "${line.slice(0, 60)}"`;
    listening.push(line.replace('|', '/'));
  }
  const inetd = [...section(parsed, 'inetd')];
  if (inetd.some((l) => !/^(inetd|xinetd)\|/.test(l))) return 'unexpected inetd line';
  return {
    pkgTool,
    isSystemdRunning: systemd === 'running',
    packages,
    binaries,
    processes,
    units,
    sysv: [...section(parsed, 'sysv')],
    inetd,
    listening,
  };
}

/** inetd lines that are active: every inetd.conf entry printed, xinetd blocks unless disable = yes. */
export function enabledInetd(facts: ProbeFacts): string[] {
  return facts.inetd.filter((l) => !/\|disable=yes$/.test(l)).map((l) => l.replace(/\|disable=\w+$/, ''));
}

/** Units that would start at boot or are running (a masked unit can do neither). */
export function unitFindings(facts: ProbeFacts): string[] {
  return facts.units.flatMap((u) => [
    ...(u.enabled === 'yes' ? [`${u.unit} enabled`] : []),
    ...(u.active === 'active' || u.active === 'activating' ? [`${u.unit} active`] : []),
  ]);
}
