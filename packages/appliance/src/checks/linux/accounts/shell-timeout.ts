import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { errorEvaluation, parseKvOutput, shScript } from '../system/kv-output';

const ID = 'linux.session.shell-timeout';
const MAX_TMOUT_SECONDS = 900;

/** Uncommented lines naming TMOUT in the system-wide shell start-up files; GNOME screen-lock settings from dconf. */
const COLLECTOR = shScript(`
n=0
for f in /etc/profile /etc/profile.d/*.sh /etc/bash.bashrc /etc/bashrc; do
  [ -r "$f" ] || continue
  echo "read=$f"
  grep -v '^[[:space:]]*#' "$f" 2>/dev/null | grep 'TMOUT' | head -n 20 | while IFS= read -r line; do
    printf 'tmout=%s|%s\\n' "$f" "$line"
  done
done
if [ -x /usr/bin/gnome-shell ]; then echo gnome=installed; else echo gnome=absent; fi
for f in /etc/dconf/db/*.d/*; do
  [ -f "$f" ] || continue
  grep -E '^[[:space:]]*(idle-delay|lock-enabled|lock-delay)[[:space:]]*=' "$f" 2>/dev/null | head -n 10 | while IFS= read -r line; do
    printf 'dconf=%s|%s\\n' "$f" "$line"
  done
done
`);

interface TmoutFacts {
  values: number[];
  isReadonly: boolean;
  isExported: boolean;
}

function tmoutFacts(lines: string[]): TmoutFacts {
  const facts: TmoutFacts = { values: [], isReadonly: false, isExported: false };
  for (const line of lines) {
    for (const match of line.matchAll(/\bTMOUT=["']?(\d+)/g)) facts.values.push(Number(match[1]));
    if (/\breadonly\s+(?:[A-Za-z_]\w*(?:=\S*)?\s+)*TMOUT\b/.test(line)) facts.isReadonly = true;
    if (/\b(?:declare|typeset)\s+-[a-zA-Z]*r[a-zA-Z]*\s+TMOUT\b/.test(line)) facts.isReadonly = true;
    if (/\bexport\s+(?:[A-Za-z_]\w*(?:=\S*)?\s+)*TMOUT\b/.test(line)) facts.isExported = true;
    if (/\b(?:declare|typeset)\s+-[a-zA-Z]*x[a-zA-Z]*\s+TMOUT\b/.test(line)) facts.isExported = true;
  }
  return facts;
}

/** GNOME's own defaults (idle-delay 300, lock-enabled true) apply unless dconf overrides them. */
function gnomeProblems(dconfLines: string[]): string[] {
  const problems: string[] = [];
  for (const line of dconfLines) {
    const idle = /idle-delay\s*=\s*(?:uint32\s+)?(\d+)/.exec(line);
    if (idle && (Number(idle[1]) === 0 || Number(idle[1]) > MAX_TMOUT_SECONDS)) {
      problems.push(`GNOME idle-delay is ${idle[1]}`);
    }
    if (/lock-enabled\s*=\s*false/.test(line)) problems.push('the GNOME screen lock is disabled');
  }
  return problems;
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const gnome = kv.first('gnome');
  if (gnome !== 'installed' && gnome !== 'absent') {
    return errorEvaluation('The collector output does not say whether GNOME is installed.');
  }
  const read = kv.all('read');
  if (read.length === 0) return errorEvaluation('No system-wide shell start-up file (/etc/profile) could be read.');
  const tmoutLines = kv.all('tmout');
  const dconfLines = kv.all('dconf');
  const facts = tmoutFacts(tmoutLines.map((l) => l.slice(l.indexOf('|') + 1)));
  const observed: Record<string, JsonValue> = {
    filesRead: read.length,
    tmoutLines: tmoutLines.slice(0, 20).map((l) => l.slice(0, 200)),
    tmoutValues: facts.values,
    isReadonly: facts.isReadonly,
    isExported: facts.isExported,
    gnome,
    gnomeSettings: dconfLines.slice(0, 10).map((l) => l.slice(0, 200)),
  };
  const problems: string[] = [];
  if (facts.values.length === 0) problems.push('TMOUT is not set');
  const bad = facts.values.filter((v) => v === 0 || v > MAX_TMOUT_SECONDS);
  if (bad.length > 0) problems.push(`TMOUT is set to ${bad.join(', ')}`);
  if (facts.values.length > 0 && !facts.isReadonly) problems.push('TMOUT is not readonly');
  if (facts.values.length > 0 && !facts.isExported) problems.push('TMOUT is not exported');
  if (gnome === 'installed') problems.push(...gnomeProblems(dconfLines));
  if (problems.length > 0) {
    return {
      status: 'fail',
      reason: `Idle sessions do not log out after ${MAX_TMOUT_SECONDS / 60} minutes: ${problems.join('; ')}.`,
      observed,
    };
  }
  const desktop = gnome === 'installed' ? ' and GNOME locks the screen' : '';
  return {
    status: 'pass',
    reason: `Shells log out after ${Math.max(...facts.values)} idle seconds (readonly, exported)${desktop}.`,
    observed,
  };
}

export const shellTimeoutCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
