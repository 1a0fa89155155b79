import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

export const sshPermitEmptyPasswords = defineSshdRunbook({
  checkId: 'linux.ssh.permit-empty-passwords',
  title: 'Refuse SSH log-ins to accounts with empty passwords',
  description: 'Sets PermitEmptyPasswords no at the top of sshd_config, validates with sshd -t and reloads sshd.',
  params: z.strictObject({}),
  settings: { PermitEmptyPasswords: 'no' },
  detectSh: '[ "$(rb_sshd_value permitemptypasswords)" = no ] || needed=yes',
});
