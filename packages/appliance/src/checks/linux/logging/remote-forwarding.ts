import type { Evaluation, LinuxCheck } from '../../check';
import { capList, END_MARKER, parseCollectorOutput, SH_PRELUDE, section } from '../ssh/collector-output';

/**
 * linux.logging.remote-forwarding: a forwarding rule only ships logs while its daemon runs, so
 * rsyslog must be running with an omfwd/omrelp action or an `@`/`@@` target, or
 * systemd-journal-upload must be running with a URL. Processes are matched by executable name
 * because /proc/<pid>/comm truncates systemd-journal-upload to the same 15 characters as journald.
 */
const SUBJECT = 'remote log forwarding';

const COLLECTOR = `${SH_PRELUDE}rs=no; ju=no
for d in /proc/[0-9]*; do
  case "$(readlink "$d/exe" 2>/dev/null)" in
    */rsyslogd) rs=yes ;;
    */systemd-journal-upload) ju=yes ;;
  esac
done
echo "rsyslogd_running=$rs"
echo "journal_upload_running=$ju"
u=$(cat /etc/systemd/journal-upload.conf /etc/systemd/journal-upload.conf.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*URL[[:space:]]*=[[:space:]]*//p' | tail -n 1 | cut -c1-200)
echo "journal_upload_url=$u"
echo "### rsyslog forwarding"
for f in /etc/rsyslog.conf /etc/rsyslog.d/*.conf; do
  [ -f "$f" ] || continue
  grep -E -i '^[[:space:]]*[^#[:space:]].*(type[[:space:]]*=[[:space:]]*"(omfwd|omrelp)"|[[:space:]]@@?[[(A-Za-z0-9])' "$f" | cut -c1-200 | sed "s|^|$f: |"
done | head -n 10
echo "${END_MARKER}"
`;

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const f = parsed.value.fields;
  const rsyslog = f.get('rsyslogd_running');
  const upload = f.get('journal_upload_running');
  const url = f.get('journal_upload_url');
  if (!['yes', 'no'].includes(rsyslog ?? '') || !['yes', 'no'].includes(upload ?? '') || url === undefined) {
    return {
      status: 'error',
      reason: `Cannot judge ${SUBJECT}: the collector did not report the daemons and their settings.`,
      observed: {},
    };
  }
  const rules = section(parsed.value, 'rsyslog forwarding');
  const observed = {
    rsyslogdRunning: rsyslog === 'yes',
    forwardingRules: capList([...rules], 10),
    journalUploadRunning: upload === 'yes',
    journalUploadUrl: url || null,
  };
  if (rsyslog === 'yes' && rules.length > 0)
    return { status: 'pass', reason: 'rsyslog is running and forwards logs to a remote host.', observed };
  if (upload === 'yes' && url !== '')
    return { status: 'pass', reason: `systemd-journal-upload is running and ships the journal to ${url}.`, observed };
  const why =
    rules.length > 0
      ? 'rsyslog has a forwarding rule but is not running'
      : url !== ''
        ? 'systemd-journal-upload has a URL but is not running'
        : 'neither rsyslog nor systemd-journal-upload is configured to forward';
  return { status: 'fail', reason: `Logs are not shipped to a remote log host: ${why}.`, observed };
}

export const remoteForwarding: LinuxCheck = {
  id: 'linux.logging.remote-forwarding',
  collector: COLLECTOR,
  evaluate: judge,
};
