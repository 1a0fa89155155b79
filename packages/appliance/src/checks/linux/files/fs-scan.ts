/**
 * Shared by the world-writable and unowned checks: walk every local, writable filesystem once
 * (find -xdev per mount point), skipping pseudo and network filesystems and the lab's own state, and
 * print at most HIT_CAP findings plus their total.
 */
import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';

const HIT_CAP = 50;
/** An hourly check may take a while on a big disk, but never forever. */
const SCAN_TIMEOUT_SECONDS = 120;
/** Disk-backed and memory filesystems whose files programs rely on; network and pseudo filesystems are left out. */
const LOCAL_TYPES = 'ext2|ext3|ext4|xfs|btrfs|zfs|f2fs|jfs|reiserfs|vfat|exfat|overlay|tmpfs';

interface FsScanRule {
  id: string;
  /** find(1) test selecting what is reported, e.g. `-type f -perm -0002`. */
  findTest: string;
  /** Words for the reason sentence: "world-writable files", and for one finding "world-writable file". */
  what: string;
  whatOne: string;
  passReason: string;
}

/** Read-only mounts are skipped: nothing on them can be altered or handed to a new user without a remount. */
function collector(rule: FsScanRule): string {
  return shScript(`
if [ ! -r /proc/mounts ]; then echo mounts=unreadable; return; fi
echo mounts=ok
if command -v timeout >/dev/null 2>&1; then T="timeout ${SCAN_TIMEOUT_SECONDS}"; else T=; fi
mps=$(awk '$3 ~ /^(${LOCAL_TYPES})$/ && $4 !~ /(^|,)ro(,|$)/ && $2 !~ /\\\\/ {
  if ($2 ~ /^\\/(proc|sys|dev|run)(\\/|$)/ || $2 ~ /^\\/tmp\\/osiris-lab(\\/|$)/) next
  if (!seen[$2]++) print $2 }' /proc/mounts)
for mp in $mps; do
  echo "scanned=$mp"
  { $T find "$mp" -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp/osiris-lab \\) -prune \\
      -o ${rule.findTest} -print 2>/dev/null; echo "#rc=$?"; } |
    awk -v mp="$mp" '/^#rc=/ { sub(/^#rc=/, ""); print "scan_rc=" mp "|" $0; next } { print "hit=" $0 }'
done | awk -v cap=${HIT_CAP} '/^hit=/ { n++; if (n <= cap) print; next } { print } END { print "hit_total=" n+0 }'
`);
}

function evaluator(rule: FsScanRule) {
  return (output: CollectorOutput): Evaluation => {
    const parsed = parseKvOutput(output);
    if (!parsed.ok) return parsed.error;
    const { kv } = parsed;
    if (kv.first('mounts') === 'unreadable')
      return errorEvaluation('/proc/mounts could not be read, so no filesystem was scanned.');
    const scanned = kv.all('scanned');
    const total = parseInteger(kv.first('hit_total'));
    if (kv.first('mounts') !== 'ok' || total === undefined) {
      return errorEvaluation('The collector output lacks the scan summary.');
    }
    if (scanned.length === 0) return errorEvaluation('No local writable filesystem was found to scan.');
    const codes = new Map<string, number | undefined>();
    for (const line of kv.all('scan_rc')) {
      const bar = line.lastIndexOf('|');
      codes.set(line.slice(0, bar), parseInteger(line.slice(bar + 1)));
    }
    // find exits 1 when a file vanishes mid-walk or one directory is unreadable; the rest was still scanned.
    const unfinished = scanned.filter((mp) => {
      const code = codes.get(mp);
      return code === undefined || code > 1;
    });
    const hits = kv.all('hit');
    const observed: Record<string, JsonValue> = { scanned: capList(scanned), found: capList(hits), foundTotal: total };
    if (total > 0) {
      const shown = hits.slice(0, 3).join(', ');
      return {
        status: 'fail',
        reason: `Found ${total} ${total === 1 ? rule.whatOne : rule.what}: ${shown}${total > 3 ? ' …' : ''}.`,
        observed,
      };
    }
    if (unfinished.length > 0) {
      observed.unfinished = capList(unfinished);
      return errorEvaluation(
        `The scan of ${unfinished.join(', ')} did not finish, so ${rule.what} may have been missed.`,
        observed,
      );
    }
    return {
      status: 'pass',
      reason: `${rule.passReason} (${scanned.length} filesystem${scanned.length === 1 ? '' : 's'} scanned).`,
      observed,
    };
  };
}

export function fsScanCheck(rule: FsScanRule): LinuxCheck {
  // The collector stops its own scan after SCAN_TIMEOUT_SECONDS and still reports; leave it room to.
  return {
    id: rule.id,
    collector: collector(rule),
    evaluate: evaluator(rule),
    timeoutSeconds: SCAN_TIMEOUT_SECONDS + 30,
  };
}
