import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

const STRONG_KEX =
  'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256';
/** What the check forbids: SHA-1 and the 1024-bit group. */
const WEAK_KEX = 'diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1';

export const sshStrongKex = defineSshdRunbook({
  checkId: 'linux.ssh.strong-kex',
  title: 'Use only strong SSH key exchange algorithms',
  description:
    'Sets KexAlgorithms to curve25519, ECDH and the SHA-2 Diffie-Hellman groups at the top of sshd_config, validates with sshd -t and reloads sshd.',
  params: z.strictObject({
    kexAlgorithms: z
      .string()
      .max(600)
      .regex(/^[a-z0-9@.-]+(?:,[a-z0-9@.-]+)*$/, 'a comma-separated algorithm list')
      .refine(
        (list) => !list.split(',').some((a) => WEAK_KEX.split(',').includes(a)),
        'SHA-1 key exchange is not allowed',
      )
      .default(STRONG_KEX),
  }),
  settings: { KexAlgorithms: '"$P_KEX_ALGORITHMS"' },
  detectSh: `cur=$(rb_sshd_value kexalgorithms)
[ "$(rb_list_outside "$cur" '${WEAK_KEX}' | wc -l)" -eq "$(printf '%s\\n' "$cur" | tr ',' '\\n' | grep -c .)" ] || needed=yes`,
});
