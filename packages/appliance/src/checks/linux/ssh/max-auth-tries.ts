import type { LinuxCheck } from '../../check';
import { defineSshdCheck, matchNote } from './sshd-config';

const MAX_TRIES = 3;

/** linux.ssh.max-auth-tries: MaxAuthTries must be an integer no greater than 3. */
export const maxAuthTries: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.max-auth-tries',
  keywords: ['maxauthtries'],
  judge: (facts) => {
    const raw = facts.values.get('maxauthtries') as string;
    const tries = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    const observed = { maxauthtries: raw };
    if (Number.isNaN(tries)) {
      return {
        status: 'error',
        reason: `Cannot judge the sshd configuration: MaxAuthTries "${raw}" is not a number.`,
        observed,
      };
    }
    return tries <= MAX_TRIES
      ? {
          status: 'pass',
          reason: `sshd allows ${tries} authentication attempts per connection${matchNote(facts)}.`,
          observed,
        }
      : {
          status: 'fail',
          reason: `sshd allows ${tries} authentication attempts per connection; at most ${MAX_TRIES} are allowed${matchNote(facts)}.`,
          observed,
        };
  },
});
