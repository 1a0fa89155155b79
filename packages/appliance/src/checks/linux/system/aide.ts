import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, errorEvaluation, parseInteger, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.integrity.aide';

/**
 * AIDE binary, its database (the path the config names, else the distribution defaults) and a
 * schedule: an enabled systemd timer (a wants/ symlink, readable without a running systemd) or an
 * uncommented cron line that runs aide.
 */
const COLLECTOR = shScript(`
bin=$(command -v aide 2>/dev/null)
[ -z "$bin" ] && for b in /usr/bin/aide /usr/sbin/aide; do [ -x "$b" ] && bin=$b && break; done
echo "aide_bin=\${bin:-missing}"
dbs=
for c in /etc/aide/aide.conf /etc/aide.conf; do
  [ -r "$c" ] || continue
  echo "config=$c"
  dbs=$(sed -n 's/^[[:space:]]*database\\(_in\\)\\{0,1\\}[[:space:]]*=[[:space:]]*file:\\([^[:space:]]*\\).*/\\2/p' "$c")
  break
done
for db in $dbs /var/lib/aide/aide.db /var/lib/aide/aide.db.gz; do
  case "$db" in *@*) continue ;; esac
  [ -f "$db" ] && echo "db=$db|$(stat -c '%s|%Y' "$db")"
done
for t in dailyaidecheck.timer aidecheck.timer; do
  for d in /etc/systemd/system/*.wants; do [ -e "$d/$t" ] && echo "schedule=timer $t"; done
done
for f in /etc/crontab /etc/cron.d/* /etc/cron.daily/* /etc/cron.weekly/* /var/spool/cron/crontabs/* /var/spool/cron/root; do
  [ -f "$f" ] || continue
  grep -v '^[[:space:]]*#' "$f" 2>/dev/null | grep -q 'aide' && echo "schedule=cron $f"
done
echo "now=$(date +%s)"
`);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const bin = kv.first('aide_bin');
  const now = parseInteger(kv.first('now'));
  if (bin === undefined || now === undefined) return errorEvaluation('The collector output lacks the AIDE facts.');
  const dbs: { path: string; sizeBytes: number; ageDays: number }[] = [];
  for (const line of kv.all('db')) {
    const [path, size, mtime] = line.split('|');
    const sizeBytes = parseInteger(size);
    const modified = parseInteger(mtime);
    if (!path || sizeBytes === undefined || modified === undefined)
      return errorEvaluation('An AIDE database line is malformed.');
    dbs.push({ path, sizeBytes, ageDays: Math.floor((now - modified) / 86_400) });
  }
  const schedules = [...new Set(kv.all('schedule'))];
  const observed: Record<string, JsonValue> = {
    aideBinary: bin === 'missing' ? null : bin,
    config: kv.first('config') ?? null,
    databases: dbs,
    schedules: capList(schedules),
  };
  if (bin === 'missing')
    return { status: 'fail', reason: 'AIDE is not installed, so changes to system files go unnoticed.', observed };
  const usable = dbs.filter((db) => db.sizeBytes > 0);
  if (usable.length === 0)
    return { status: 'fail', reason: 'AIDE is installed but its database was never initialised.', observed };
  if (schedules.length === 0)
    return { status: 'fail', reason: 'AIDE has a database but no timer or cron job runs its check.', observed };
  return {
    status: 'pass',
    reason: `AIDE is installed with a database (${usable[0]?.path}) and a scheduled check (${schedules[0]}).`,
    observed,
  };
}

export const aideCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
