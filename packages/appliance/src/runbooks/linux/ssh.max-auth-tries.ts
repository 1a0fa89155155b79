import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

export const sshMaxAuthTries = defineSshdRunbook({
  checkId: 'linux.ssh.max-auth-tries',
  title: 'Limit SSH authentication attempts per connection',
  description: 'Sets MaxAuthTries (default 3) at the top of sshd_config, validates with sshd -t and reloads sshd.',
  // More than 3 would not satisfy the check; fewer than 1 would refuse every log-in.
  params: z.strictObject({ maxAuthTries: z.number().int().min(1).max(3).default(3) }),
  settings: { MaxAuthTries: '"$P_MAX_AUTH_TRIES"' },
  detectSh: `v=$(rb_sshd_value maxauthtries)
case "$v" in ''|*[!0-9]*) needed=yes ;; *) [ "$v" -le 3 ] || needed=yes ;; esac`,
});
