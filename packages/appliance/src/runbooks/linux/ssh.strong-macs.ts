import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

const STRONG_MACS = 'hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256';

export const sshStrongMacs = defineSshdRunbook({
  checkId: 'linux.ssh.strong-macs',
  title: 'Use only SHA-2 message authentication codes for SSH',
  description: 'Sets MACs to the SHA-2 HMACs at the top of sshd_config, validates with sshd -t and reloads sshd.',
  params: z.strictObject({
    macs: z
      .string()
      .max(200)
      .regex(
        /^hmac-sha2-(?:256|512)(?:-etm@openssh\.com)?(?:,hmac-sha2-(?:256|512)(?:-etm@openssh\.com)?)*$/,
        'only SHA-2 HMACs',
      )
      .default(STRONG_MACS),
  }),
  settings: { MACs: '"$P_MACS"' },
  detectSh: `[ -z "$(rb_list_outside "$(rb_sshd_value macs)" '${STRONG_MACS}')" ] || needed=yes`,
});
