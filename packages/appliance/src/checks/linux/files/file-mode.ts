/**
 * Shared by the five "sensitive file" checks: stat one main file (and optionally the regular files of a
 * drop-in directory) and require an owner, an allowed group and a mode no looser than a maximum.
 */
import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';

interface FileModeRule {
  id: string;
  path: string;
  /** Drop-in directory whose regular files must meet the same rule. */
  dropInDir?: string;
  /** Highest mode allowed, e.g. 0o640: any bit outside it (including setuid/setgid/sticky) fails. */
  maxMode: number;
  /** Group names allowed besides gid 0. */
  extraGroups: readonly string[];
  /** What it means when the main file does not exist: `pass` (nothing to protect) or `error`. */
  whenMissing: { status: 'pass' | 'error'; reason: string };
  /** What the file protects, for the reason sentence. */
  label: string;
}

const DROP_IN_CAP = 100;

/** `file=<mode>|<uid>|<gid>|<owner>|<group>|<path>`; stat's %U/%G print UNKNOWN for ids without a name. */
function collector(rule: FileModeRule): string {
  const dropIn = rule.dropInDir
    ? `if [ -d '${rule.dropInDir}' ]; then
  echo 'dropin_dir=present'
  find '${rule.dropInDir}' -mindepth 1 -maxdepth 1 -type f 2>/dev/null | head -n ${DROP_IN_CAP} | while IFS= read -r f; do
    printf 'file=%s\\n' "$(stat -c '%a|%u|%g|%U|%G|%n' "$f")"
  done
  echo "dropin_total=$(find '${rule.dropInDir}' -mindepth 1 -maxdepth 1 -type f 2>/dev/null | wc -l)"
else
  echo 'dropin_dir=absent'
fi`
    : '';
  return shScript(`
if [ -e '${rule.path}' ]; then
  printf 'file=%s\\n' "$(stat -c '%a|%u|%g|%U|%G|%n' '${rule.path}')"
else
  echo 'missing=${rule.path}'
fi
${dropIn}
`);
}

interface FileFacts {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
}

function parseFile(line: string): FileFacts | undefined {
  const parts = line.split('|');
  if (parts.length < 6) return undefined;
  const [modeText, uidText, gidText, owner, group] = parts as [string, string, string, string, string];
  const path = parts.slice(5).join('|');
  const uid = parseInteger(uidText);
  const gid = parseInteger(gidText);
  if (!/^[0-7]{1,4}$/.test(modeText) || uid === undefined || gid === undefined || !path.startsWith('/')) {
    return undefined;
  }
  return { path, mode: Number.parseInt(modeText, 8), uid, gid, owner, group };
}

function problemsOf(file: FileFacts, rule: FileModeRule): string[] {
  const problems: string[] = [];
  if (file.uid !== 0) problems.push(`owned by ${file.owner} (uid ${file.uid})`);
  if (file.gid !== 0 && !rule.extraGroups.includes(file.group)) problems.push(`group ${file.group} (gid ${file.gid})`);
  if ((file.mode & ~rule.maxMode & 0o7777) !== 0) problems.push(`mode ${file.mode.toString(8).padStart(4, '0')}`);
  return problems;
}

function evaluator(rule: FileModeRule) {
  const maxModeText = rule.maxMode.toString(8).padStart(4, '0');
  return (output: CollectorOutput): Evaluation => {
    const parsed = parseKvOutput(output);
    if (!parsed.ok) return parsed.error;
    const { kv } = parsed;
    const files: FileFacts[] = [];
    for (const line of kv.all('file')) {
      const file = parseFile(line);
      if (!file) return errorEvaluation(`The collector printed an unreadable stat line (${line.slice(0, 80)}).`);
      files.push(file);
    }
    const main = files.find((f) => f.path === rule.path);
    const isMissing = kv.all('missing').includes(rule.path);
    if (!main && !isMissing) return errorEvaluation(`The collector output says nothing about ${rule.path}.`);
    const dropInState = kv.first('dropin_dir');
    if (rule.dropInDir && dropInState !== 'present' && dropInState !== 'absent') {
      return errorEvaluation(`The collector output says nothing about ${rule.dropInDir}.`);
    }
    const dropInTotal = parseInteger(kv.first('dropin_total')) ?? 0;
    const offenders = files
      .map((file) => ({ file, problems: problemsOf(file, rule) }))
      .filter((entry) => entry.problems.length > 0);
    const observed: Record<string, JsonValue> = {
      maxMode: maxModeText,
      files: capList(files.map((f) => `${f.mode.toString(8).padStart(4, '0')} ${f.owner}:${f.group} ${f.path}`)),
      offenders: capList(offenders.map((o) => `${o.file.path}: ${o.problems.join(', ')}`)),
    };
    if (rule.dropInDir) observed.dropInFiles = dropInTotal;
    if (offenders.length > 0) {
      const first = offenders[0] as { file: FileFacts; problems: string[] };
      const more =
        offenders.length > 1 ? ` (and ${offenders.length - 1} more file${offenders.length > 2 ? 's' : ''})` : '';
      return {
        status: 'fail',
        reason: `${first.file.path} has ${describeList(first.problems)}${more}; it must be root-owned with mode ${maxModeText} or stricter.`,
        observed,
      };
    }
    if (dropInTotal > files.length - (main ? 1 : 0)) {
      return errorEvaluation(`${rule.dropInDir} holds more files than this check lists (${dropInTotal}).`, observed);
    }
    if (!main) return { status: rule.whenMissing.status, reason: rule.whenMissing.reason, observed };
    return {
      status: 'pass',
      reason: `${rule.path}${rule.dropInDir && dropInTotal > 0 ? ` and ${dropInTotal} drop-in files` : ''} ${dropInTotal > 0 ? 'are' : 'is'} owned by root with mode ${maxModeText} or stricter, so ${rule.label}.`,
      observed,
    };
  };
}

export function fileModeCheck(rule: FileModeRule): LinuxCheck {
  return { id: rule.id, collector: collector(rule), evaluate: evaluator(rule) };
}
