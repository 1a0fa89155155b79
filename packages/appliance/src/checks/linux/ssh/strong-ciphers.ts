import type { LinuxCheck } from '../../check';
import { judgeAlgorithms } from './algorithm-policy';
import { defineSshdCheck } from './sshd-config';

/**
 * linux.ssh.strong-ciphers: an allow-list (chacha20-poly1305, AES-GCM, AES-CTR), so ciphers a future
 * OpenSSH adds are not silently accepted before someone reviews them.
 */
const STRONG_CIPHERS = new Set([
  'chacha20-poly1305@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
]);

export const strongCiphers: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.strong-ciphers',
  keywords: ['ciphers'],
  judge: (facts) =>
    judgeAlgorithms(
      facts,
      'ciphers',
      'ciphers',
      (c) => !STRONG_CIPHERS.has(c),
      'chacha20-poly1305, AES-GCM and AES-CTR',
    ),
});
