import type { Evaluation, JsonValue, LinuxCheck } from '../../check';
import { END_MARKER, parseCollectorOutput, SH_PRELUDE, section } from '../ssh/collector-output';

/**
 * linux.time.synchronized: asks whichever daemon is there, in order chronyc, ntpq, timedatectl.
 * Each tool's exit code is printed; a tool that cannot reach its daemon is skipped. When no tool
 * answers and no time daemon runs, the clock is certainly not disciplined: fail. When a daemon runs
 * but no tool could read its state: error.
 */
const SUBJECT = 'clock synchronisation';
const MAX_OFFSET_SECONDS = 1;

const COLLECTOR = `${SH_PRELUDE}td=
for d in /proc/[0-9]*; do
  case "$(cat "$d/comm" 2>/dev/null)" in chronyd|ntpd|systemd-timesyn) td="$td $(cat "$d/comm")" ;; esac
done
echo "time_daemons=$(echo $td)"
run() {
  name=$1
  shift
  echo "### $name"
  if command -v "$1" >/dev/null 2>&1; then
    out=$("$@" 2>&1)
    echo "exit=$?"
    printf '%s\\n' "$out" | head -n 30 | cut -c1-200
  else echo "exit=absent"; fi
}
run chronyc chronyc -n tracking
run ntpq ntpq -c rv
run timedatectl timedatectl show -p NTPSynchronized
run timesync timedatectl timesync-status
echo "${END_MARKER}"
`;

type Verdict = { status: 'pass' | 'fail'; reason: string; offsetSeconds: number | null };

function fromChrony(lines: readonly string[]): Verdict | null {
  const leap = lines
    .find((l) => l.startsWith('Leap status'))
    ?.split(':')[1]
    ?.trim();
  if (!leap) return null;
  const m = /System time\s*:\s*([\d.]+) seconds (fast|slow)/.exec(lines.join('\n'));
  const offset = m ? Number(m[1]) : null;
  if (leap !== 'Normal')
    return {
      status: 'fail',
      reason: `chrony reports the clock as not synchronised (leap status "${leap}").`,
      offsetSeconds: offset,
    };
  if (offset === null) return null;
  return offset < MAX_OFFSET_SECONDS
    ? { status: 'pass', reason: `chrony reports the clock synchronised, ${offset} s off.`, offsetSeconds: offset }
    : {
        status: 'fail',
        reason: `chrony reports the clock ${offset} s off, more than ${MAX_OFFSET_SECONDS} s.`,
        offsetSeconds: offset,
      };
}

function fromNtpq(lines: readonly string[]): Verdict | null {
  const text = lines.join(' ');
  const leap = /leap=(\w+)/.exec(text)?.[1];
  const offsetMs = /offset=(-?[\d.]+)/.exec(text)?.[1];
  if (!leap || offsetMs === undefined) return null;
  const offset = Math.abs(Number(offsetMs)) / 1000;
  if (leap !== '00' || /sync_unspec|leap_alarm/.test(text)) {
    return {
      status: 'fail',
      reason: `ntpd reports the clock as not synchronised (leap=${leap}).`,
      offsetSeconds: offset,
    };
  }
  return offset < MAX_OFFSET_SECONDS
    ? { status: 'pass', reason: `ntpd reports the clock synchronised, ${offset} s off.`, offsetSeconds: offset }
    : {
        status: 'fail',
        reason: `ntpd reports the clock ${offset} s off, more than ${MAX_OFFSET_SECONDS} s.`,
        offsetSeconds: offset,
      };
}

/** timesync-status prints "Offset: +1.234ms"; an offset it cannot show leaves NTPSynchronized to decide. */
function timesyncOffsetSeconds(lines: readonly string[]): number | null {
  const m = /Offset:\s*([+-]?[\d.]+)(us|ms|s)\b/.exec(lines.join('\n'));
  if (!m) return null;
  const scale = m[2] === 'us' ? 1e-6 : m[2] === 'ms' ? 1e-3 : 1;
  return Math.abs(Number(m[1])) * scale;
}

function fromTimedatectl(lines: readonly string[], status: readonly string[]): Verdict | null {
  const value = lines.find((l) => l.startsWith('NTPSynchronized='))?.split('=')[1];
  if (value !== 'yes' && value !== 'no') return null;
  const offset = timesyncOffsetSeconds(status);
  if (value === 'no')
    return {
      status: 'fail',
      reason: 'timedatectl reports the clock as not synchronised (NTPSynchronized=no).',
      offsetSeconds: offset,
    };
  if (offset !== null && offset >= MAX_OFFSET_SECONDS) {
    return {
      status: 'fail',
      reason: `timedatectl reports the clock ${offset} s off, more than ${MAX_OFFSET_SECONDS} s.`,
      offsetSeconds: offset,
    };
  }
  return {
    status: 'pass',
    reason: `timedatectl reports the clock synchronised${offset === null ? '' : `, ${offset} s off`}.`,
    offsetSeconds: offset,
  };
}

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const f = parsed.value.fields;
  const daemons = f.get('time_daemons');
  const exitOf = (tool: string): string | undefined => section(parsed.value, tool)[0]?.replace(/^exit=/, '');
  const exits = ['chronyc', 'ntpq', 'timedatectl', 'timesync'].map((t) => [t, exitOf(t)] as const);
  if (daemons === undefined || exits.some(([, e]) => e === undefined || !/^(absent|\d+)$/.test(e))) {
    return {
      status: 'error',
      reason: `Cannot judge ${SUBJECT}: the collector did not report every tool's result.`,
      observed: {},
    };
  }
  const tools: Record<string, JsonValue> = Object.fromEntries(
    exits.map(([t, e]) => [t, e === 'absent' ? 'absent' : `exit ${e}`]),
  );
  const ok = (tool: string) => exitOf(tool) === '0';
  const verdict =
    (ok('chronyc') ? fromChrony(section(parsed.value, 'chronyc')) : null) ??
    (ok('ntpq') ? fromNtpq(section(parsed.value, 'ntpq')) : null) ??
    (ok('timedatectl')
      ? fromTimedatectl(section(parsed.value, 'timedatectl'), ok('timesync') ? section(parsed.value, 'timesync') : [])
      : null);
  const observed = { timeDaemons: daemons === '' ? [] : daemons.split(' '), tools };
  if (verdict)
    return {
      status: verdict.status,
      reason: verdict.reason,
      observed: { ...observed, offsetSeconds: verdict.offsetSeconds },
    };
  if (daemons === '') {
    return {
      status: 'fail',
      reason: 'No time synchronisation daemon is running, so nothing keeps the clock synchronised.',
      observed,
    };
  }
  return {
    status: 'error',
    reason: `Cannot judge ${SUBJECT}: ${daemons} is running but no tool could read its synchronisation state.`,
    observed,
  };
}

export const synchronized: LinuxCheck = { id: 'linux.time.synchronized', collector: COLLECTOR, evaluate: judge };
