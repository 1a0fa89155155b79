/**
 * Collector fragment shared by the password-ageing and inactivity checks: one line per account that
 * has a usable password (a hash, not empty and not locked with ! or *), with its shadow ageing
 * fields. The hash itself never leaves the host.
 */
import type { KvOutput } from '../system/kv-output';
import { parseInteger } from '../system/kv-output';

const SHADOW_ACCOUNT_CAP = 200;

export const SHADOW_ACCOUNTS_SH = `
if [ ! -r /etc/shadow ]; then echo shadow=unreadable; else
  echo shadow=ok
  awk -F: -v cap=${SHADOW_ACCOUNT_CAP} '
    /^[+-]/ || NF < 8 { next }
    $2 == "" || $2 ~ /^[!*]/ { next }
    { n++; if (n <= cap) print "acct=" $1 ":" $4 ":" $5 ":" $6 ":" $7 }
    END { print "acct_total=" n+0 }
  ' /etc/shadow
fi
`;

interface ShadowAccount {
  name: string;
  /** Shadow fields; null where the field is empty (no limit set). */
  minDays: number | null;
  maxDays: number | null;
  warnDays: number | null;
  inactiveDays: number | null;
}

type ShadowAccounts = { ok: true; accounts: ShadowAccount[]; total: number } | { ok: false; reason: string };

function field(value: string | undefined): number | null | 'bad' {
  if (value === undefined) return 'bad';
  if (value === '') return null;
  return parseInteger(value) ?? 'bad';
}

export function readShadowAccounts(kv: KvOutput): ShadowAccounts {
  if (kv.first('shadow') === 'unreadable') return { ok: false, reason: '/etc/shadow could not be read on the host.' };
  const total = parseInteger(kv.first('acct_total'));
  if (kv.first('shadow') !== 'ok' || total === undefined) {
    return { ok: false, reason: 'The collector output lacks the /etc/shadow account list.' };
  }
  const accounts: ShadowAccount[] = [];
  for (const line of kv.all('acct')) {
    const [name, min, max, warn, inactive, ...rest] = line.split(':');
    const values = [field(min), field(max), field(warn), field(inactive)];
    if (!name || rest.length > 0 || values.includes('bad')) {
      return { ok: false, reason: `An /etc/shadow line has unexpected ageing fields (${line.slice(0, 80)}).` };
    }
    const [minDays, maxDays, warnDays, inactiveDays] = values as (number | null)[];
    accounts.push({
      name,
      minDays: minDays ?? null,
      maxDays: maxDays ?? null,
      warnDays: warnDays ?? null,
      inactiveDays: inactiveDays ?? null,
    });
  }
  if (accounts.length > total) return { ok: false, reason: 'The /etc/shadow account count does not match its list.' };
  // The collector caps the list; judging only part of the accounts would be a guess.
  if (total > accounts.length)
    return { ok: false, reason: `Too many accounts with a password (${total}) to judge them all.` };
  return { ok: true, accounts, total };
}

/** " and all 3 accounts with a password" / " (no account has a usable password)" for a pass sentence. */
export function accountsPhrase(total: number): string {
  if (total === 0) return ' (no account has a usable password)';
  return ` and ${total === 1 ? 'the one account' : `all ${total} accounts`} with a password`;
}
