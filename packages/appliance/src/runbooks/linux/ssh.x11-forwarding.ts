import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

export const sshX11Forwarding = defineSshdRunbook({
  checkId: 'linux.ssh.x11-forwarding',
  title: 'Disable SSH X11 forwarding',
  description: 'Sets X11Forwarding no at the top of sshd_config, validates with sshd -t and reloads sshd.',
  params: z.strictObject({}),
  settings: { X11Forwarding: 'no' },
  detectSh: '[ "$(rb_sshd_value x11forwarding)" = no ] || needed=yes',
});
