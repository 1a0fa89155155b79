import type { LinuxCheck } from '../../check';
import { defineSshdCheck, matchNote } from './sshd-config';

const MAX_INTERVAL_SECONDS = 300;
const MAX_COUNT = 3;

/**
 * linux.ssh.idle-timeout: ClientAliveInterval 1..300 s and ClientAliveCountMax 1..3. An interval of 0
 * turns the probes off, and a count of 0 disables the disconnect, so both zeros fail.
 */
export const idleTimeout: LinuxCheck = defineSshdCheck({
  id: 'linux.ssh.idle-timeout',
  keywords: ['clientaliveinterval', 'clientalivecountmax'],
  judge: (facts) => {
    const intervalRaw = facts.values.get('clientaliveinterval') as string;
    const countRaw = facts.values.get('clientalivecountmax') as string;
    const observed = { clientaliveinterval: intervalRaw, clientalivecountmax: countRaw };
    if (!/^\d+$/.test(intervalRaw) || !/^\d+$/.test(countRaw)) {
      return {
        status: 'error',
        reason: 'Cannot judge the sshd configuration: ClientAliveInterval or ClientAliveCountMax is not a number.',
        observed,
      };
    }
    const interval = Number(intervalRaw);
    const count = Number(countRaw);
    const problems = [
      ...(interval >= 1 && interval <= MAX_INTERVAL_SECONDS
        ? []
        : [`ClientAliveInterval is ${interval} (must be 1-${MAX_INTERVAL_SECONDS})`]),
      ...(count >= 1 && count <= MAX_COUNT ? [] : [`ClientAliveCountMax is ${count} (must be 1-${MAX_COUNT})`]),
    ];
    return problems.length === 0
      ? {
          status: 'pass',
          reason: `sshd closes an unresponsive session after at most ${interval * count} seconds${matchNote(facts)}.`,
          observed,
        }
      : {
          status: 'fail',
          reason: `sshd does not close unresponsive sessions in time: ${problems.join('; ')}${matchNote(facts)}.`,
          observed,
        };
  },
});
