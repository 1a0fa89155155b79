import { commandProblem, evaluation, type PlatformCheck, single, unsupported } from '../check';

const EXPECTED =
  'sshd: PermitRootLogin no, PasswordAuthentication no, PermitEmptyPasswords no, MaxAuthTries <= 3, X11Forwarding no';

/** Effective setting (lowercase key) → rule. Values are those `sshd -T` prints, lowercase. */
const RULES: ReadonlyArray<{ key: string; isOk: (value: string) => boolean; want: string }> = [
  { key: 'permitrootlogin', isOk: (v) => v === 'no', want: 'no' },
  { key: 'passwordauthentication', isOk: (v) => v === 'no', want: 'no' },
  { key: 'permitemptypasswords', isOk: (v) => v === 'no', want: 'no' },
  { key: 'maxauthtries', isOk: (v) => /^\d+$/.test(v) && Number(v) <= 3, want: '<= 3' },
  { key: 'x11forwarding', isOk: (v) => v === 'no', want: 'no' },
];

/** Parses `sshd -T` output: one "keyword value…" per line. */
function parseSshdT(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([a-z0-9]+)\s+(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined && !settings.has(match[1])) settings.set(match[1], match[2].trim());
  }
  return settings;
}

export const linuxSshServer: PlatformCheck = {
  collect: single('sshd', 'sshd', ['-T']),
  evaluate(collected) {
    if (collected.sshd?.isMissing) {
      return unsupported('NOT_APPLICABLE', 'no OpenSSH server (sshd) is installed', EXPECTED);
    }
    const problem = commandProblem(collected.sshd, 'sshd -T', EXPECTED);
    if (problem) return problem;
    const settings = parseSshdT(collected.sshd?.stdout ?? '');
    const observed: Record<string, string> = {};
    const bad: string[] = [];
    for (const rule of RULES) {
      const value = settings.get(rule.key)?.toLowerCase() ?? '(unset)';
      observed[rule.key] = value;
      if (!rule.isOk(value)) bad.push(`${rule.key} ${value} (want ${rule.want})`);
    }
    if (settings.size === 0) {
      return {
        ...evaluation('ERROR', EXPECTED, 'sshd -T printed no settings', observed),
        error: { code: 'UNPARSEABLE_OUTPUT', message: 'sshd -T printed no settings' },
      };
    }
    return bad.length === 0
      ? evaluation('PASS', EXPECTED, 'all sshd settings hardened', observed)
      : evaluation('FAIL', EXPECTED, bad.join('; '), observed);
  },
};
