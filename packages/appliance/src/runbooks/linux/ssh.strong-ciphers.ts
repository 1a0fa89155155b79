import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

const STRONG_CIPHERS =
  'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr';

export const sshStrongCiphers = defineSshdRunbook({
  checkId: 'linux.ssh.strong-ciphers',
  title: 'Offer only strong SSH ciphers',
  description:
    'Sets Ciphers to chacha20-poly1305, AES-GCM and AES-CTR at the top of sshd_config, validates with sshd -t and reloads sshd. The appliance connects with AES-CTR or GCM, so it keeps its access.',
  params: z.strictObject({
    ciphers: z
      .string()
      .max(400)
      .regex(
        /^(?:chacha20-poly1305@openssh\.com|aes(?:128|256)-gcm@openssh\.com|aes(?:128|192|256)-ctr)(?:,(?:chacha20-poly1305@openssh\.com|aes(?:128|256)-gcm@openssh\.com|aes(?:128|192|256)-ctr))*$/,
        'only chacha20-poly1305, AES-GCM and AES-CTR ciphers',
      )
      .default(STRONG_CIPHERS),
  }),
  settings: { Ciphers: '"$P_CIPHERS"' },
  detectSh: `[ -z "$(rb_list_outside "$(rb_sshd_value ciphers)" '${STRONG_CIPHERS}')" ] || needed=yes`,
});
