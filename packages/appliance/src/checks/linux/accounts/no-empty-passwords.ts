import type { CollectorOutput, Evaluation, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from '../system/kv-output';

const ID = 'linux.accounts.no-empty-passwords';

/**
 * Prints names only, never a hash: accounts whose /etc/shadow password field is empty, and accounts
 * whose /etc/passwd field is empty (no shadow entry in use, so no password at all).
 */
const COLLECTOR = shScript(`
if [ ! -r /etc/shadow ]; then echo shadow=unreadable; return; fi
echo shadow=ok
awk -F: '
  /^[+-]/ { next }
  NF < 2 { bad++; next }
  { n++ }
  $2 == "" { e++; if (e <= 50) print "empty=" $1; next }
  $2 ~ /^[!*]/ { locked++; next }
  END { print "shadow_accounts=" n+0; print "empty_total=" e+0; print "locked=" locked+0; print "malformed=" bad+0 }
' /etc/shadow
awk -F: '
  /^[+-]/ || NF < 2 { next }
  $2 == "" { e++; if (e <= 50) print "passwd_empty=" $1 }
  END { print "passwd_empty_total=" e+0 }
' /etc/passwd
`);

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  if (kv.first('shadow') === 'unreadable') return errorEvaluation('/etc/shadow could not be read on the host.');
  const accounts = parseInteger(kv.first('shadow_accounts'));
  const emptyTotal = parseInteger(kv.first('empty_total'));
  const passwdEmptyTotal = parseInteger(kv.first('passwd_empty_total'));
  const locked = parseInteger(kv.first('locked'));
  if (accounts === undefined || emptyTotal === undefined || passwdEmptyTotal === undefined || locked === undefined) {
    return errorEvaluation('The collector output lacks the password-field counts this check needs.');
  }
  if (accounts === 0) return errorEvaluation('/etc/shadow lists no accounts, which cannot be a working host.');
  const empty = [...new Set([...kv.all('empty'), ...kv.all('passwd_empty')])];
  const observed = {
    shadowAccounts: accounts,
    lockedAccounts: locked,
    emptyInShadow: capList(kv.all('empty')),
    emptyInShadowTotal: emptyTotal,
    emptyInPasswd: capList(kv.all('passwd_empty')),
    emptyInPasswdTotal: passwdEmptyTotal,
  };
  if (emptyTotal + passwdEmptyTotal > 0) {
    const names = empty.length > 0 ? empty : [`${emptyTotal + passwdEmptyTotal} accounts`];
    return { status: 'fail', reason: `These accounts have an empty password: ${describeList(names)}.`, observed };
  }
  return {
    status: 'pass',
    reason: `All ${accounts} accounts in /etc/shadow have a password hash or are locked.`,
    observed,
  };
}

export const noEmptyPasswordsCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
