import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { errorEvaluation, parseInteger, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.patch.age';
const MAX_AGE_DAYS = 30;
const DAY_SECONDS = 86_400;

/**
 * The newest package upgrade from each history the host keeps: dpkg.log and apt's history.log
 * (rotated and compressed copies too), or rpm install times on RHEL-family hosts (an upgrade installs
 * the new version). The dpkg info mtimes are only a fallback when no log survives (it also moves on
 * plain installs). Log times are local time; GNU date converts them to epoch seconds on the host.
 */
const COLLECTOR = shScript(`
echo "now=$(date +%s)"
to_epoch() { [ -n "$1" ] && date -d "$1" +%s 2>/dev/null; }
if [ -d /var/lib/dpkg ]; then
  echo pm=dpkg
  t=$( { cat /var/log/dpkg.log /var/log/dpkg.log.[0-9] 2>/dev/null; zcat /var/log/dpkg.log.*.gz 2>/dev/null; } |
    awk '$3 == "upgrade" { t = $1 " " $2; if (t > m) m = t } END { print m }')
  echo "dpkg_log=$(to_epoch "$t")"
  t=$( { cat /var/log/apt/history.log /var/log/apt/history.log.[0-9] 2>/dev/null; zcat /var/log/apt/history.log.*.gz 2>/dev/null; } |
    awk '/^Start-Date:/ { s = $2 " " $3 } /^Upgrade:/ { if (s > m) m = s } END { print m }')
  echo "apt_history=$(to_epoch "$t")"
  f=$(ls -t /var/lib/dpkg/info/*.list 2>/dev/null | head -n 1)
  [ -n "$f" ] && echo "dpkg_info_mtime=$(stat -c %Y "$f")"
elif command -v rpm >/dev/null 2>&1; then
  echo pm=rpm
  echo "rpm_installtime=$(rpm -qa --qf '%{INSTALLTIME}\\n' 2>/dev/null | sort -n | tail -n 1)"
else
  echo pm=none
fi
`);

function optionalEpoch(value: string | undefined): number | null | 'bad' {
  if (value === undefined || value === '') return null;
  return parseInteger(value) ?? 'bad';
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const now = parseInteger(kv.first('now'));
  const pm = kv.first('pm');
  if (now === undefined || (pm !== 'dpkg' && pm !== 'rpm' && pm !== 'none')) {
    return errorEvaluation('The collector output lacks the host time or the package manager.');
  }
  if (pm === 'none') return errorEvaluation('Neither dpkg nor rpm was found, so the last upgrade is unknown.');
  const sources: Record<string, number | null | 'bad'> =
    pm === 'dpkg'
      ? { 'dpkg.log': optionalEpoch(kv.first('dpkg_log')), 'apt history.log': optionalEpoch(kv.first('apt_history')) }
      : { 'rpm install times': optionalEpoch(kv.first('rpm_installtime')) };
  if (Object.values(sources).includes('bad'))
    return errorEvaluation('A timestamp in the collector output is not a number.');
  let best: { source: string; epoch: number } | undefined;
  for (const [source, epoch] of Object.entries(sources)) {
    if (typeof epoch === 'number' && (!best || epoch > best.epoch)) best = { source, epoch };
  }
  const infoMtime = optionalEpoch(kv.first('dpkg_info_mtime'));
  if (!best && typeof infoMtime === 'number') best = { source: 'dpkg info file times', epoch: infoMtime };
  if (!best) return errorEvaluation('No package history (dpkg.log, apt history, rpm) records an upgrade on this host.');
  const ageDays = Math.floor((now - best.epoch) / DAY_SECONDS);
  const observed: Record<string, JsonValue> = {
    lastUpgrade: new Date(best.epoch * 1000).toISOString(),
    ageDays,
    source: best.source,
    hostTime: new Date(now * 1000).toISOString(),
  };
  if (best.epoch > now + DAY_SECONDS) {
    return errorEvaluation('The last upgrade is dated in the future; the host clock or its logs are wrong.', observed);
  }
  if (ageDays > MAX_AGE_DAYS) {
    return {
      status: 'fail',
      reason: `The last package upgrade was ${ageDays} days ago (${best.source}); at most ${MAX_AGE_DAYS} are allowed.`,
      observed,
    };
  }
  return {
    status: 'pass',
    reason: `Packages were last upgraded ${Math.max(ageDays, 0)} days ago (${best.source}).`,
    observed,
  };
}

export const patchAgeCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
