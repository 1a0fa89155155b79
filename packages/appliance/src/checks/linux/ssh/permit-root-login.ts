import type { LinuxCheck } from '../../check';
import { defineSshdCheck, matchNote } from './sshd-config';

/**
 * linux.ssh.permit-root-login: only `no` passes. prohibit-password, forced-commands-only and yes all
 * still let someone sign in as the shared root account, which cannot be tied to a person.
 */
export const permitRootLogin: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.permit-root-login',
  keywords: ['permitrootlogin'],
  judge: (facts) => {
    const value = facts.values.get('permitrootlogin') as string;
    const observed = { permitrootlogin: value };
    return value === 'no'
      ? { status: 'pass', reason: `sshd refuses direct root login (PermitRootLogin no)${matchNote(facts)}.`, observed }
      : {
          status: 'fail',
          reason: `sshd allows direct root login (PermitRootLogin ${value}); it must be no${matchNote(facts)}.`,
          observed,
        };
  },
});
