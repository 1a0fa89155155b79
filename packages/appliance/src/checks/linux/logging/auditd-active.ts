import type { Evaluation, LinuxCheck } from '../../check';
import { END_MARKER, parseCollectorOutput, SH_PRELUDE } from '../ssh/collector-output';
import { probeScript, readProbe } from '../services/service-probe';
import { daemonState } from './daemon-state';

/**
 * linux.audit.auditd-active: installed, enabled and running. Not installed is a plain fail (the
 * verdict is known: nothing records audit events). "Running" is read from /proc so hosts without
 * systemd answer too; "enabled" from systemctl, unit-file links or SysV links.
 */
const SUBJECT = 'the audit daemon';

const COLLECTOR = `${SH_PRELUDE}${probeScript({
  packages: ['auditd', 'audit'],
  binaries: ['auditd'],
  processes: ['auditd'],
  units: ['auditd.service'],
  sysvScripts: ['auditd'],
})}echo "${END_MARKER}"
`;

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const facts = readProbe(parsed.value);
  if (typeof facts === 'string') return { status: 'error', reason: `Cannot judge ${SUBJECT}: ${facts}.`, observed: {} };
  const state = daemonState(facts, {
    processes: ['auditd'],
    units: ['auditd.service'],
    packages: ['auditd', 'audit'],
    binaries: ['auditd'],
  });
  const observed = { ...state, packages: facts.packages, binaries: facts.binaries };
  if (!state.isInstalled)
    return { status: 'fail', reason: 'auditd is not installed, so no audit events are recorded.', observed };
  const missing = [...(state.isEnabled ? [] : ['enabled']), ...(state.isRunning ? [] : ['running'])];
  return missing.length === 0
    ? { status: 'pass', reason: 'auditd is installed, enabled and running.', observed }
    : { status: 'fail', reason: `auditd is installed but not ${missing.join(' or ')}.`, observed };
}

export const auditdActive: LinuxCheck = { id: 'linux.audit.auditd-active', collector: COLLECTOR, evaluate: judge };
