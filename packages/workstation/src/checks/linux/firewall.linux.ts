import { z } from 'zod';
import { commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';

const EXPECTED =
  'An active host firewall drops unsolicited inbound traffic (nftables input policy drop, ufw or firewalld)';

const NftOutput = z.object({
  nftables: z
    .array(
      z.looseObject({
        chain: z
          .looseObject({
            family: z.string().max(16),
            table: z.string().max(256),
            name: z.string().max(256),
            hook: z.string().max(32).optional(),
            policy: z.string().max(16).optional(),
          })
          .optional(),
      }),
    )
    .max(100_000),
});

export const linuxFirewall: PlatformCheck = {
  async collect(run) {
    const [nft, ufw, firewalld] = await Promise.all([
      run('nft', ['-j', 'list', 'ruleset'], { timeoutMs: 15_000 }),
      run('ufw', ['status'], { timeoutMs: 15_000 }),
      run('firewall-cmd', ['--state'], { timeoutMs: 15_000 }),
    ]);
    return { nft, ufw, firewalld };
  },
  evaluate(collected) {
    const { ufw, firewalld } = collected;
    const observed: Record<string, string> = {};
    if (ufw && !ufw.isMissing) observed.ufw = /^Status: active/m.test(ufw.stdout) ? 'active' : 'inactive';
    if (firewalld && !firewalld.isMissing)
      observed.firewalld = firewalld.stdout.trim() === 'running' ? 'running' : 'not running';
    if (observed.ufw === 'active') return evaluation('PASS', EXPECTED, 'ufw is active', observed);
    if (observed.firewalld === 'running') return evaluation('PASS', EXPECTED, 'firewalld is running', observed);

    const problem = commandProblem(collected.nft, 'nft list ruleset', EXPECTED);
    if (problem) return { ...problem, observed };
    const parsed = NftOutput.safeParse(parseJson(collected.nft?.stdout ?? ''));
    if (!parsed.success) return errorEvaluation('UNPARSEABLE_OUTPUT', 'nft printed no valid JSON', EXPECTED);
    const inputChains = parsed.data.nftables.flatMap((item) => (item.chain?.hook === 'input' ? [item.chain] : []));
    const dropping = inputChains.filter((chain) => chain.policy === 'drop');
    observed.nft_input_chains =
      inputChains.map((c) => `${c.family} ${c.table} ${c.name}:${c.policy ?? 'accept'}`).join(', ') || '(none)';
    if (dropping.length > 0) {
      const names = dropping.map((c) => `${c.family} ${c.table} ${c.name}`).join(', ');
      return evaluation('PASS', EXPECTED, `nftables input chain with policy drop: ${names}`, observed);
    }
    return evaluation(
      'FAIL',
      EXPECTED,
      inputChains.length === 0
        ? 'no firewall: no nftables input chain, ufw and firewalld inactive'
        : 'nftables input chains accept by default',
      observed,
    );
  },
};
