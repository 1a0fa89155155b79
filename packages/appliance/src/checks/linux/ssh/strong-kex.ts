import type { LinuxCheck } from '../../check';
import { judgeAlgorithms } from './algorithm-policy';
import { defineSshdCheck } from './sshd-config';

/**
 * linux.ssh.strong-kex: a deny-list, as the catalog words it (the strong set keeps growing, e.g.
 * sntrup761x25519 and mlkem768x25519). Besides the three named algorithms, any SHA-1 based exchange
 * (name ending in -sha1, e.g. the gss-*-sha1- family) counts as weak for the same reason.
 */
const WEAK_KEX = new Set([
  'diffie-hellman-group1-sha1',
  'diffie-hellman-group14-sha1',
  'diffie-hellman-group-exchange-sha1',
]);

function isWeakKex(algorithm: string): boolean {
  return WEAK_KEX.has(algorithm) || /-sha1-?$/.test(algorithm) || algorithm.startsWith('diffie-hellman-group1-');
}

export const strongKex: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.strong-kex',
  keywords: ['kexalgorithms'],
  judge: (facts) => judgeAlgorithms(facts, 'kexalgorithms', 'key exchange algorithms', isWeakKex, 'strong'),
});
