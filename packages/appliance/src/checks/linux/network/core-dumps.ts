import type { Evaluation, LinuxCheck } from '../../check';
import { capList, END_MARKER, parseCollectorOutput, SH_PRELUDE, section } from '../ssh/collector-output';

/**
 * linux.kernel.core-dumps: fs.suid_dumpable = 0 and either a hard core limit of 0 for everyone in
 * pam_limits files or systemd-coredump with Storage=none. pam_limits reads limits.conf, then
 * limits.d/*.conf in order, a later line overriding an earlier one for the same domain; a non-zero
 * hard limit for a specific user or group exempts them, so it fails too.
 */
const SUBJECT = 'core dump restrictions';

const COLLECTOR = `${SH_PRELUDE}if [ -r /proc/sys/fs/suid_dumpable ]; then echo "fs.suid_dumpable=$(cat /proc/sys/fs/suid_dumpable)"; else echo "fs.suid_dumpable=absent"; fi
echo "collector_hard_core_limit=$(ulimit -H -c 2>/dev/null || echo unknown)"
if [ -x /lib/systemd/systemd-coredump ] || [ -x /usr/lib/systemd/systemd-coredump ]; then echo "systemd_coredump=installed"; else echo "systemd_coredump=absent"; fi
echo "### limits"
for f in /etc/security/limits.conf /etc/security/limits.d/*.conf; do
  [ -f "$f" ] || continue
  grep -E '^[[:space:]]*[^#[:space:]]+[[:space:]]+(hard|-)[[:space:]]+core[[:space:]]+[^[:space:]]+' "$f" | sed "s|^[[:space:]]*|$f: |"
done | head -n 50
echo "### coredump.conf"
for f in /etc/systemd/coredump.conf /etc/systemd/coredump.conf.d/*.conf; do
  [ -f "$f" ] || continue
  grep -E '^[[:space:]]*(Storage|ProcessSizeMax)[[:space:]]*=' "$f" | sed "s|^[[:space:]]*|$f: |"
done | head -n 20
echo "${END_MARKER}"
`;

interface LimitLine {
  file: string;
  domain: string;
  value: string;
}

const LIMIT_LINE = /^(\S+): (\S+)\s+(hard|-)\s+core\s+(\S+)/;

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const suid = parsed.value.fields.get('fs.suid_dumpable');
  const coredump = parsed.value.fields.get('systemd_coredump');
  if (suid === undefined || !/^\d+$/.test(suid) || (coredump !== 'installed' && coredump !== 'absent')) {
    return {
      status: 'error',
      reason: `Cannot judge ${SUBJECT}: fs.suid_dumpable or the systemd-coredump status is missing or malformed.`,
      observed: {},
    };
  }
  const limits: LimitLine[] = [];
  for (const line of section(parsed.value, 'limits')) {
    const m = LIMIT_LINE.exec(line);
    if (!m)
      return {
        status: 'error',
        reason: `Cannot judge ${SUBJECT}: unexpected limits line "${line.slice(0, 80)}".`,
        observed: {},
      };
    limits.push({ file: m[1] as string, domain: m[2] as string, value: m[4] as string });
  }
  let storage: string | null = null;
  for (const line of section(parsed.value, 'coredump.conf')) {
    const m = /Storage\s*=\s*(\S+)/.exec(line);
    if (m) storage = (m[1] as string).toLowerCase();
  }
  const wildcard = limits.filter((l) => l.domain === '*').at(-1)?.value ?? null;
  const exempted = limits.filter((l) => l.domain !== '*' && l.value !== '0').map((l) => `${l.domain}=${l.value}`);
  const observed = {
    'fs.suid_dumpable': suid,
    hardCoreLimitForAll: wildcard,
    exemptions: capList(exempted),
    systemdCoredump: coredump,
    coredumpStorage: storage,
    collectorHardCoreLimit: parsed.value.fields.get('collector_hard_core_limit') ?? null,
  };
  const problems: string[] = [];
  if (suid !== '0') problems.push(`fs.suid_dumpable is ${suid} (must be 0)`);
  const isLimited = wildcard === '0' && exempted.length === 0;
  const isCoredumpOff = coredump === 'installed' && storage === 'none';
  if (!isLimited && !isCoredumpOff) {
    problems.push(
      wildcard === '0'
        ? `some users are exempt from the hard core limit (${exempted.slice(0, 3).join(', ')})`
        : `no hard core limit of 0 for all users (${wildcard === null ? 'none set' : `"* hard core ${wildcard}"`}) and systemd-coredump does not have Storage=none`,
    );
  }
  return problems.length === 0
    ? {
        status: 'pass',
        reason: `Core dumps are restricted: fs.suid_dumpable is 0 and ${isLimited ? 'every user has a hard core limit of 0' : 'systemd-coredump stores nothing'}.`,
        observed,
      }
    : { status: 'fail', reason: `Core dumps are not restricted: ${problems.join('; ')}.`, observed };
}

export const coreDumps: LinuxCheck = { id: 'linux.kernel.core-dumps', collector: COLLECTOR, evaluate: judge };
