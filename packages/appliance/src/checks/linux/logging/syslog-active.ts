import type { Evaluation, LinuxCheck } from '../../check';
import { END_MARKER, parseCollectorOutput, SH_PRELUDE } from '../ssh/collector-output';
import { probeScript, readProbe } from '../services/service-probe';
import { daemonState } from './daemon-state';

/**
 * linux.logging.syslog-active: rsyslog enabled and running, or journald running with persistent
 * storage. journald's Storage=auto (the default) persists only when /var/log/journal exists.
 * journald.conf drop-ins are read in order /usr/lib, then /etc, the last Storage= winning.
 */
const SUBJECT = 'system logging';

const COLLECTOR = `${SH_PRELUDE}s=$(cat /etc/systemd/journald.conf /usr/lib/systemd/journald.conf.d/*.conf /etc/systemd/journald.conf.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*Storage[[:space:]]*=[[:space:]]*\\([A-Za-z]*\\).*/\\1/p' | tail -n 1)
echo "journald_storage=\${s:-default}"
if [ -d /var/log/journal ]; then echo "var_log_journal=yes"; else echo "var_log_journal=no"; fi
${probeScript({
  packages: ['rsyslog'],
  binaries: ['rsyslogd'],
  processes: ['rsyslogd', 'systemd-journal'],
  units: ['rsyslog.service', 'systemd-journald.service'],
  sysvScripts: ['rsyslog'],
})}echo "${END_MARKER}"
`;

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const facts = readProbe(parsed.value);
  const storage = parsed.value.fields.get('journald_storage')?.toLowerCase();
  const varLogJournal = parsed.value.fields.get('var_log_journal');
  if (typeof facts === 'string' || !storage || (varLogJournal !== 'yes' && varLogJournal !== 'no')) {
    return {
      status: 'error',
      reason: `Cannot judge ${SUBJECT}: ${typeof facts === 'string' ? facts : 'the journald storage facts are missing'}.`,
      observed: {},
    };
  }
  const rsyslog = daemonState(facts, {
    processes: ['rsyslogd'],
    units: ['rsyslog.service'],
    packages: ['rsyslog'],
    binaries: ['rsyslogd'],
  });
  const journald = daemonState(facts, { processes: ['systemd-journal'], units: ['systemd-journald.service'] });
  const isPersistent =
    storage === 'persistent' || ((storage === 'auto' || storage === 'default') && varLogJournal === 'yes');
  const observed = {
    rsyslog,
    journald: { isRunning: journald.isRunning, evidence: journald.evidence },
    journaldStorage: storage,
    varLogJournal,
  };
  if (rsyslog.isRunning && rsyslog.isEnabled)
    return { status: 'pass', reason: 'rsyslog is enabled and running.', observed };
  if (journald.isRunning && isPersistent) {
    return {
      status: 'pass',
      reason: `systemd-journald is running and keeps logs on disk (Storage=${storage}).`,
      observed,
    };
  }
  const parts = [
    !rsyslog.isInstalled
      ? 'rsyslog is not installed'
      : `rsyslog is ${rsyslog.isRunning ? 'running but not enabled' : 'not running'}`,
    !journald.isRunning
      ? 'systemd-journald is not running'
      : `systemd-journald keeps logs only in memory (Storage=${storage}, /var/log/journal ${varLogJournal === 'yes' ? 'present' : 'absent'})`,
  ];
  return { status: 'fail', reason: `Logs are not kept across reboots: ${parts.join(', and ')}.`, observed };
}

export const syslogActive: LinuxCheck = { id: 'linux.logging.syslog-active', collector: COLLECTOR, evaluate: judge };
