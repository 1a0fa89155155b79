import type { LinuxCheck } from '../../check';
import { judgeAlgorithms } from './algorithm-policy';
import { defineSshdCheck } from './sshd-config';

/**
 * linux.ssh.strong-macs: an allow-list of the SHA-2 HMACs. OpenSSH's defaults include umac and
 * hmac-sha1, so a stock sshd fails this check until MACs is set.
 */
const STRONG_MACS = new Set([
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
]);

export const strongMacs: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.strong-macs',
  keywords: ['macs'],
  judge: (facts) => judgeAlgorithms(facts, 'macs', 'MACs', (m) => !STRONG_MACS.has(m), 'SHA-2 HMAC'),
});
