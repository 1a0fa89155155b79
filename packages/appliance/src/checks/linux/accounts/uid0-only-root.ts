import type { Evaluation, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';

const ID = 'linux.accounts.uid0-only-root';

/** Only names and UIDs leave the host; NIS compat lines (+/-) are not local accounts and are skipped. */
const COLLECTOR = shScript(`
if [ ! -r /etc/passwd ]; then echo passwd=unreadable; return; fi
echo passwd=ok
awk -F: '
  /^[+-]/ { next }
  NF < 4 { bad++; next }
  { n++; if ($3 == "0") { z++; if (z <= 50) print "uid0=" $1 } }
  END { print "accounts=" n+0; print "uid0_total=" z+0; print "malformed=" bad+0 }
' /etc/passwd
`);

function evaluate(output: Parameters<LinuxCheck['evaluate']>[0]): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  if (kv.first('passwd') === 'unreadable') return errorEvaluation('/etc/passwd could not be read on the host.');
  const accounts = parseInteger(kv.first('accounts'));
  const total = parseInteger(kv.first('uid0_total'));
  const malformed = parseInteger(kv.first('malformed'));
  if (kv.first('passwd') !== 'ok' || accounts === undefined || total === undefined || malformed === undefined) {
    return errorEvaluation('The collector output lacks the account counts this check needs.');
  }
  if (accounts === 0) return errorEvaluation('/etc/passwd lists no accounts, which cannot be a working host.');
  const uid0 = kv.all('uid0');
  const others = uid0.filter((name) => name !== 'root');
  const observed = { accounts, uid0Accounts: capList(uid0), uid0Total: total, malformedLines: malformed };
  if (others.length > 0 || total > uid0.length) {
    const extra = total - uid0.length;
    const names = extra > 0 ? [...others, `${extra} not listed`] : others;
    return {
      status: 'fail',
      reason: `Besides root, ${describeList(names)} ${others.length + extra === 1 ? 'has' : 'have'} UID 0.`,
      observed,
    };
  }
  if (total === 0)
    return errorEvaluation('No account in /etc/passwd has UID 0, not even root; the file looks damaged.');
  return { status: 'pass', reason: 'root is the only account with UID 0.', observed };
}

export const uid0OnlyRootCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
