import type { CollectorOutput, Evaluation, LinuxCheck } from '../../check';
import { errorEvaluation, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.mount.tmp-options';
const REQUIRED = ['nodev', 'nosuid', 'noexec'] as const;

/** The last /tmp line in /proc/mounts is the one in effect (later mounts cover earlier ones). */
const COLLECTOR = shScript(`
if [ ! -r /proc/mounts ]; then echo mounts=unreadable; return; fi
echo mounts=ok
awk '$2 == "/tmp" { line = "tmp=" $3 "|" $4 } END { print (line == "" ? "tmp=none" : line) }' /proc/mounts
`);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  if (kv.first('mounts') === 'unreadable') return errorEvaluation('/proc/mounts could not be read on the host.');
  const tmp = kv.first('tmp');
  if (kv.first('mounts') !== 'ok' || tmp === undefined)
    return errorEvaluation('The collector output does not describe /tmp.');
  if (tmp === 'none') {
    return {
      status: 'fail',
      reason: '/tmp is not a separate filesystem, so nodev, nosuid and noexec cannot apply to it.',
      observed: { isSeparateMount: false },
    };
  }
  const [fsType, optionText] = tmp.split('|');
  if (!fsType || !optionText) return errorEvaluation('The /tmp mount line in the collector output is malformed.');
  const options = optionText.split(',');
  const missing = REQUIRED.filter((option) => !options.includes(option));
  const observed = { isSeparateMount: true, fsType, options: options.slice(0, 30), missingOptions: missing };
  if (missing.length > 0) {
    return { status: 'fail', reason: `/tmp (${fsType}) is mounted without ${missing.join(', ')}.`, observed };
  }
  return { status: 'pass', reason: `/tmp is a separate ${fsType} mount with nodev, nosuid and noexec.`, observed };
}

export const tmpOptionsCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
