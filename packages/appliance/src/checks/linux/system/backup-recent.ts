import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.backup.recent';
const MAX_AGE_HOURS = 26;
const AGENTS = 'restic borg borgmatic duplicity duplicati bacula-fd veeamconfig urbackupclientctl';
const UNIT_PATTERN = 'backup|restic|borg|duplicity|bacula|veeam|urbackup';
/** Named like backup jobs but only copy package or account databases (Debian's dpkg-db-backup timer). */
const NOT_BACKUPS = 'dpkg-db-backup';
/** Cron jobs count only when they run a known tool: "backup" alone matches Debian's dpkg and passwd jobs. */
const CRON_PATTERN = 'restic|borg|duplicity|duplicati|bacula|veeam|urbackup';

/**
 * Where a last run can be read locally: systemd services named for backups (result, exit status and
 * exit time of the last run) and Veeam's session list. Other agents and cron jobs are detected, but
 * their repositories need credentials the appliance does not hold, so they only explain an `error`.
 */
const COLLECTOR = shScript(`
echo "now=$(date +%s)"
echo "tz=$(date +%z)"
for a in ${AGENTS}; do command -v "$a" >/dev/null 2>&1 && echo "agent=$a"; done
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo systemd=running
  for u in $(systemctl list-unit-files --no-legend --type=service,timer 2>/dev/null | awk '{ print $1 }' | grep -Ei '${UNIT_PATTERN}' | grep -Ev '${NOT_BACKUPS}' | head -n 20); do
    case "$u" in *.timer) u=$(systemctl show -p Unit --value "$u" 2>/dev/null) ;; esac
    [ -n "$u" ] || continue
    r=$(systemctl show -p Result --value "$u" 2>/dev/null)
    s=$(systemctl show -p ExecMainStatus --value "$u" 2>/dev/null)
    t=$(systemctl show -p ExecMainExitTimestamp --value "$u" 2>/dev/null)
    e=; [ -n "$t" ] && e=$(date -d "$t" +%s 2>/dev/null)
    echo "unit=$u|$r|$s|$e"
  done
else
  echo systemd=absent
fi
for f in /etc/crontab /etc/cron.d/* /etc/cron.daily/* /var/spool/cron/crontabs/* /var/spool/cron/root; do
  [ -f "$f" ] || continue
  grep -v '^[[:space:]]*#' "$f" 2>/dev/null | grep -Eqi '${CRON_PATTERN}' && echo "cron=$f"
done
if command -v veeamconfig >/dev/null 2>&1; then
  veeamconfig session list 2>/dev/null | tail -n 20 | while IFS= read -r l; do echo "veeam=$l"; done
fi
`);

interface Run {
  source: string;
  isSuccess: boolean;
  epoch: number | null;
}

/** "+0130" → seconds east of UTC. */
function tzOffsetSeconds(tz: string | undefined): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(tz ?? '');
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/** Veeam prints local times; the last date on a line is when the session finished. */
function veeamRuns(lines: string[], offset: number): Run[] {
  const runs: Run[] = [];
  for (const line of lines) {
    const dates = [...line.matchAll(/(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?/g)];
    const last = dates[dates.length - 1];
    if (!last || !/\b(Success|Warning|Failed)\b/.test(line)) continue;
    const [, y, mo, d, h, mi, s] = last;
    const epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)) / 1000 - offset;
    runs.push({ source: 'veeam', isSuccess: /\bSuccess\b/.test(line), epoch });
  }
  return runs;
}

function unitRuns(lines: string[]): Run[] | undefined {
  const runs: Run[] = [];
  for (const line of lines) {
    const [unit, result, status, epochText, ...rest] = line.split('|');
    if (!unit || rest.length > 0 || epochText === undefined) return undefined;
    const epoch = epochText === '' ? null : (parseInteger(epochText) ?? null);
    runs.push({ source: unit, isSuccess: result === 'success' && status === '0' && epoch !== null, epoch });
  }
  return runs;
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const now = parseInteger(kv.first('now'));
  const offset = tzOffsetSeconds(kv.first('tz'));
  const systemd = kv.first('systemd');
  if (now === undefined || offset === undefined || (systemd !== 'running' && systemd !== 'absent')) {
    return errorEvaluation('The collector output lacks the host time or the systemd state.');
  }
  const units = unitRuns(kv.all('unit'));
  if (!units) return errorEvaluation('A systemd unit line in the collector output is malformed.');
  const runs = [...units, ...veeamRuns(kv.all('veeam'), offset)];
  const agents = kv.all('agent');
  const cron = kv.all('cron');
  const lastSuccess = runs
    .filter((r) => r.isSuccess && r.epoch !== null)
    .sort((a, b) => (b.epoch as number) - (a.epoch as number))[0];
  const ageHours = lastSuccess ? Math.floor((now - (lastSuccess.epoch as number)) / 3600) : null;
  const observed: Record<string, JsonValue> = {
    agents,
    systemd,
    runs: capList(
      runs.map((r) => ({
        source: r.source,
        isSuccess: r.isSuccess,
        at: r.epoch === null ? null : new Date(r.epoch * 1000).toISOString(),
      })),
    ),
    cronJobs: capList(cron),
    lastSuccessAgeHours: ageHours,
  };
  if (lastSuccess && ageHours !== null && ageHours <= MAX_AGE_HOURS) {
    return {
      status: 'pass',
      reason: `The last backup (${lastSuccess.source}) succeeded ${ageHours} hours ago.`,
      observed,
    };
  }
  if (runs.length > 0) {
    const what = lastSuccess
      ? `the last successful one was ${ageHours} hours ago`
      : 'none of them has a successful run on record';
    return {
      status: 'fail',
      reason: `Backup jobs exist (${describeList(runs.map((r) => r.source))}) but ${what}; at most ${MAX_AGE_HOURS} hours are allowed.`,
      observed,
    };
  }
  if (agents.length > 0 || cron.length > 0) {
    const found = describeList([...agents, ...cron.map((c) => `a cron job in ${c}`)]);
    return errorEvaluation(`Found ${found}, but when a backup last succeeded cannot be read on this host.`, observed);
  }
  return {
    status: 'fail',
    reason: 'No backup agent, backup timer or backup cron job was found on this host.',
    observed,
  };
}

export const backupRecentCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
