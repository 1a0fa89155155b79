import { z } from 'zod';
import { defineSshdRunbook } from './sshd-runbook';

export const sshIdleTimeout = defineSshdRunbook({
  checkId: 'linux.ssh.idle-timeout',
  title: 'Close SSH sessions whose client stopped responding',
  description:
    'Sets ClientAliveInterval (default 300 s) and ClientAliveCountMax (default 2) at the top of sshd_config, validates with sshd -t and reloads sshd.',
  // The bounds are the check's: interval 1-300 s, count 1-3.
  params: z.strictObject({
    clientAliveIntervalSeconds: z.number().int().min(1).max(300).default(300),
    clientAliveCountMax: z.number().int().min(1).max(3).default(2),
  }),
  settings: {
    ClientAliveInterval: '"$P_CLIENT_ALIVE_INTERVAL_SECONDS"',
    ClientAliveCountMax: '"$P_CLIENT_ALIVE_COUNT_MAX"',
  },
  detectSh: `i=$(rb_sshd_value clientaliveinterval)
c=$(rb_sshd_value clientalivecountmax)
case "$i$c" in ''|*[!0-9]*) needed=yes ;; *)
  if [ "$i" -lt 1 ] || [ "$i" -gt 300 ] || [ "$c" -lt 1 ] || [ "$c" -gt 3 ]; then needed=yes; fi ;;
esac`,
});
