import { type Collected, commandProblem, evaluation, type PlatformCheck, unsupported } from '../check';

const EXPECTED = 'No pending security updates';

/** Packages `apt-get -s upgrade` would install, and which of them come from a security suite. */
function parseAptSimulation(text: string): { pending: string[]; security: string[] } {
  const pending: string[] = [];
  const security: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^Inst (\S+) .*$/.exec(line);
    if (!match?.[1]) continue;
    pending.push(match[1]);
    if (/security/i.test(line)) security.push(match[1]);
  }
  return { pending, security };
}

const sample = (names: readonly string[]) => names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '');

export const linuxUpdates: PlatformCheck = {
  async collect(run): Promise<Collected> {
    const apt = await run('apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'upgrade'], { timeoutMs: 120_000 });
    if (!apt.isMissing) return { apt };
    // dnf: exit 100 = updates available, 0 = none.
    return { dnf: await run('dnf', ['-q', '--cacheonly', 'check-update', '--security'], { timeoutMs: 120_000 }) };
  },
  evaluate(collected) {
    if (collected.apt && !collected.apt.isMissing) {
      const problem = commandProblem(collected.apt, 'apt-get -s upgrade', EXPECTED);
      if (problem) return problem;
      const { pending, security } = parseAptSimulation(collected.apt.stdout);
      const observed = {
        package_manager: 'apt',
        pending_updates: String(pending.length),
        pending_security_updates: String(security.length),
      };
      return security.length === 0
        ? evaluation('PASS', EXPECTED, `${pending.length} updates pending, none from a security suite`, observed)
        : evaluation('FAIL', EXPECTED, `${security.length} security updates pending: ${sample(security)}`, observed);
    }
    if (collected.dnf && !collected.dnf.isMissing) {
      const problem = commandProblem(collected.dnf, 'dnf check-update --security', EXPECTED, [0, 100]);
      if (problem) return problem;
      const lines = collected.dnf.stdout.split('\n').filter((line) => /^\S+\.\S+\s+\S+\s+\S+/.test(line));
      const observed = { package_manager: 'dnf', pending_security_updates: String(lines.length) };
      return collected.dnf.exitCode === 0
        ? evaluation('PASS', EXPECTED, 'no security updates pending', observed)
        : evaluation('FAIL', EXPECTED, `${lines.length} security updates pending`, observed);
    }
    return unsupported('UNSUPPORTED_PLATFORM', 'neither apt-get nor dnf is present', EXPECTED);
  },
};
