import { z } from 'zod';
import { commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';
import { powerShellCollector } from './powershell';

const EXPECTED =
  'Machine inactivity limit (InactivityTimeoutSecs) 1-900 s, or every signed-in user has a password-protected screen saver after at most 900 s';
const MAX_SECONDS = 900;

// The agent runs as SYSTEM, so HKCU is the wrong hive: read the machine policy and each loaded
// user hive (HKU\S-1-5-21-…), where a Group Policy value overrides the user's own setting.
const SCRIPT = `$policy = (Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' -ErrorAction SilentlyContinue).InactivityTimeoutSecs
$users = @(Get-ChildItem 'Registry::HKEY_USERS' | Where-Object { $_.PSChildName -match '^S-1-5-21-[0-9-]+$' } | ForEach-Object {
  $d = Get-ItemProperty "Registry::$($_.Name)\\Control Panel\\Desktop" -ErrorAction SilentlyContinue
  $p = Get-ItemProperty "Registry::$($_.Name)\\Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop" -ErrorAction SilentlyContinue
  [pscustomobject]@{ Sid = $_.PSChildName
    Active = "$(if ($p.ScreenSaveActive) { $p.ScreenSaveActive } else { $d.ScreenSaveActive })"
    Secure = "$(if ($p.ScreenSaverIsSecure) { $p.ScreenSaverIsSecure } else { $d.ScreenSaverIsSecure })"
    TimeoutSeconds = "$(if ($p.ScreenSaveTimeOut) { $p.ScreenSaveTimeOut } else { $d.ScreenSaveTimeOut })" } })
[pscustomobject]@{ InactivityTimeoutSecs = $(if ($policy -ne $null) { [int]$policy } else { $null }); Users = $users } | ConvertTo-Json -Compress -Depth 4`;

const User = z.object({
  Sid: z.string().max(184),
  Active: z.string().max(16),
  Secure: z.string().max(16),
  TimeoutSeconds: z.string().max(16),
});
const ScreenLock = z.object({
  InactivityTimeoutSecs: z.number().int().nullable(),
  Users: z.union([z.array(User).max(256), User.transform((u) => [u])]),
});

export const windowsScreenLock: PlatformCheck = {
  collect: powerShellCollector('screen_lock', SCRIPT),
  evaluate(collected) {
    const problem = commandProblem(collected.screen_lock, 'screen lock registry read', EXPECTED);
    if (problem) return problem;
    const parsed = ScreenLock.safeParse(parseJson(collected.screen_lock?.stdout ?? ''));
    if (!parsed.success)
      return errorEvaluation('UNPARSEABLE_OUTPUT', 'screen lock read printed unexpected JSON', EXPECTED);
    const { InactivityTimeoutSecs: policy, Users: users } = parsed.data;
    const observed: Record<string, string> = {
      inactivity_timeout_secs: policy === null ? '(unset)' : String(policy),
      signed_in_users: String(users.length),
    };
    if (policy !== null && policy >= 1 && policy <= MAX_SECONDS) {
      return evaluation('PASS', EXPECTED, `machine policy locks after ${policy} s`, observed);
    }
    const failing = users.filter((u) => {
      const seconds = Number(u.TimeoutSeconds);
      return !(u.Active === '1' && u.Secure === '1' && seconds >= 1 && seconds <= MAX_SECONDS);
    });
    users.forEach((u, i) => {
      observed[`user_${i}`] = `active=${u.Active || '-'} secure=${u.Secure || '-'} timeout=${u.TimeoutSeconds || '-'}`;
    });
    const policyText = policy === null ? 'no machine inactivity limit' : `machine inactivity limit ${policy} s`;
    if (users.length > 0 && failing.length === 0) {
      return evaluation('PASS', EXPECTED, `${policyText}; every signed-in user has a secure screen saver`, observed);
    }
    const userText =
      users.length === 0
        ? 'no signed-in user to check'
        : `${failing.length} of ${users.length} users without a secure screen saver <= 900 s`;
    return evaluation('FAIL', EXPECTED, `${policyText}; ${userText}`, observed);
  },
};
