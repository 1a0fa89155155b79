import type { Evaluation, LinuxCheck } from '../../check';
import { END_MARKER, parseCollectorOutput, SH_PRELUDE } from '../ssh/collector-output';
import { readProbe } from '../services/service-probe';
import { daemonState } from './daemon-state';
import { TIME_DAEMONS, TIME_PROBE } from './time-daemons';

/**
 * linux.time.sync-daemon: exactly one of chronyd, systemd-timesyncd and ntpd enabled and running.
 * Two running daemons fight over the clock, so that fails as well.
 */
const SUBJECT = 'time synchronisation daemons';

const COLLECTOR = `${SH_PRELUDE}${TIME_PROBE}echo "${END_MARKER}"
`;

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const facts = readProbe(parsed.value);
  if (typeof facts === 'string') return { status: 'error', reason: `Cannot judge ${SUBJECT}: ${facts}.`, observed: {} };
  const states = TIME_DAEMONS.map((d) => ({ name: d.name, ...daemonState(facts, d) }));
  const running = states.filter((s) => s.isRunning);
  const observed = { daemons: states, unitsVia: facts.isSystemdRunning ? 'systemctl' : 'unit files' };
  if (running.length === 0) {
    const installed = states.filter((s) => s.isInstalled).map((s) => s.name);
    return {
      status: 'fail',
      reason: `No time synchronisation daemon is running${installed.length > 0 ? ` (installed: ${installed.join(', ')})` : ''}.`,
      observed,
    };
  }
  if (running.length > 1) {
    return {
      status: 'fail',
      reason: `${running.map((s) => s.name).join(' and ')} are all running; exactly one may discipline the clock.`,
      observed,
    };
  }
  const only = running[0] as (typeof states)[number];
  return only.isEnabled
    ? { status: 'pass', reason: `${only.name} is the one time synchronisation daemon, enabled and running.`, observed }
    : {
        status: 'fail',
        reason: `${only.name} is running but not enabled, so it will not start after a reboot.`,
        observed,
      };
}

export const syncDaemon: LinuxCheck = { id: 'linux.time.sync-daemon', collector: COLLECTOR, evaluate: judge };
