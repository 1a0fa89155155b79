import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.patch.security-updates';
const DAY_SECONDS = 86_400;

/**
 * Asks the package manager what it would install, from its local metadata only (apt-get -s never
 * downloads or locks, and with empty cache paths it writes no pkgcache.bin either; dnf -C stays in
 * its cache), so the check is read-only and works offline. How old that metadata is goes into the
 * output: the answer is only as fresh as the last refresh.
 */
const COLLECTOR = shScript(`
echo "now=$(date +%s)"
if command -v apt-get >/dev/null 2>&1 && [ -d /var/lib/apt/lists ]; then
  echo pm=apt
  echo "lists=$(find /var/lib/apt/lists -maxdepth 1 -type f -name '*_Packages*' | wc -l)"
  echo "security_lists=$(find /var/lib/apt/lists -maxdepth 1 -type f -name '*security*_Packages*' | wc -l)"
  newest=$(find /var/lib/apt/lists -maxdepth 1 -type f -name '*Release' -exec stat -c %Y {} + 2>/dev/null | sort -n | tail -n 1)
  echo "lists_mtime=$newest"
  { apt-get -s -o Debug::NoLocking=1 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= dist-upgrade 2>/dev/null; echo "#rc=$?"; } | awk '
    /^#rc=/ { sub(/^#rc=/, ""); print "pm_rc=" $0; next }
    /^Inst / { n++; o = $0; sub(/^[^(]*\\(/, "", o)
      if (tolower(o) ~ /security/) { s++; if (s <= 50) { v = o; sub(/ .*/, "", v); print "pending_security=" $2 " " v } } }
    END { print "pending_total=" n+0; print "pending_security_total=" s+0 }'
elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
  if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi
  echo "pm=$pm"
  { $pm -C -q updateinfo list --security --available 2>/dev/null; echo "#rc=$?"; } | awk '
    /^#rc=/ { sub(/^#rc=/, ""); print "pm_rc=" $0; next }
    NF >= 3 && $2 ~ /[Ss]ec/ { s++; if (s <= 50) print "pending_security=" $3 " " $1 }
    END { print "pending_security_total=" s+0 }'
else
  echo pm=none
fi
`);

function evaluateApt(kv: ReturnType<typeof parseLists>, observed: Record<string, JsonValue>): Evaluation | undefined {
  if (kv.lists === 0)
    return errorEvaluation(
      'apt has no package lists (apt-get update never ran), so pending updates are unknown.',
      observed,
    );
  if (kv.securityLists === 0) {
    return errorEvaluation(
      'No security source is among the apt package lists, so security updates cannot be seen.',
      observed,
    );
  }
  return undefined;
}

function parseLists(kv: { first(key: string): string | undefined }) {
  return { lists: parseInteger(kv.first('lists')), securityLists: parseInteger(kv.first('security_lists')) };
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const pm = kv.first('pm');
  const now = parseInteger(kv.first('now'));
  if (pm === 'none') return errorEvaluation('Neither apt nor dnf/yum was found, so pending updates cannot be listed.');
  if ((pm !== 'apt' && pm !== 'dnf' && pm !== 'yum') || now === undefined) {
    return errorEvaluation('The collector output does not name the package manager it asked.');
  }
  const rc = parseInteger(kv.first('pm_rc'));
  const total = parseInteger(kv.first('pending_security_total'));
  const pending = kv.all('pending_security');
  const listsMtime = parseInteger(kv.first('lists_mtime'));
  const observed: Record<string, JsonValue> = {
    packageManager: pm,
    pendingSecurity: capList(pending),
    pendingSecurityTotal: total ?? null,
    pendingTotal: parseInteger(kv.first('pending_total')) ?? null,
  };
  if (pm === 'apt') {
    const lists = parseLists(kv);
    if (lists.lists === undefined || lists.securityLists === undefined) {
      return errorEvaluation('The collector output lacks the apt package-list counts.');
    }
    Object.assign(observed, {
      packageLists: lists.lists,
      securityLists: lists.securityLists,
      listsAgeDays: listsMtime === undefined ? null : Math.floor((now - listsMtime) / DAY_SECONDS),
    });
    const aptError = evaluateApt(lists, observed);
    if (aptError) return aptError;
  }
  if (rc === undefined || total === undefined)
    return errorEvaluation('The collector output lacks the package manager result.', observed);
  // dnf updateinfo exits 0 with no advisories; any other code means it could not answer from its cache.
  if (rc !== 0)
    return errorEvaluation(
      `${pm} could not list updates (exit code ${rc}); its metadata cache may be missing.`,
      observed,
    );
  if (total > 0) {
    return {
      status: 'fail',
      reason: `${total} security update${total === 1 ? ' is' : 's are'} pending, e.g. ${describeList(pending)}.`,
      observed,
    };
  }
  const age = observed.listsAgeDays;
  const freshness = typeof age === 'number' ? ` (package lists refreshed ${age} day${age === 1 ? '' : 's'} ago)` : '';
  return { status: 'pass', reason: `No security update is pending${freshness}.`, observed };
}

export const securityUpdatesCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
