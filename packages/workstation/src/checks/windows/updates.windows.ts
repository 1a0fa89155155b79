import { z } from 'zod';
import { type CheckParams, commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';
import { powerShellCollector } from './powershell';

const DEFAULT_MAX_PATCH_AGE_DAYS = 30;

// Newest hotfix by install date, and the pending-reboot registry markers Windows Update and CBS set.
const SCRIPT = `$h = Get-HotFix | Where-Object { $_.InstalledOn } | Sort-Object InstalledOn -Descending | Select-Object -First 1
$cbs = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'
$wu = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'
[pscustomobject]@{ LatestHotFixId = "$($h.HotFixID)"; LatestInstalledOn = $(if ($h) { $h.InstalledOn.ToUniversalTime().ToString('o') } else { '' }); RebootPending = ($cbs -or $wu) } | ConvertTo-Json -Compress`;

const Patches = z.object({
  LatestHotFixId: z.string().max(64),
  LatestInstalledOn: z.string().max(64),
  RebootPending: z.boolean(),
});

const maxAge = (params: CheckParams) => {
  const value = Number(params.max_patch_age_days);
  return Number.isInteger(value) && value > 0 && value <= 365 ? value : DEFAULT_MAX_PATCH_AGE_DAYS;
};

export const windowsUpdates: PlatformCheck = {
  collect: powerShellCollector('patches', SCRIPT, 120_000),
  evaluate(collected, params, now) {
    const days = maxAge(params);
    const expected = `A hotfix installed within ${days} days and no reboot pending`;
    const problem = commandProblem(collected.patches, 'Get-HotFix', expected);
    if (problem) return problem;
    const parsed = Patches.safeParse(parseJson(collected.patches?.stdout ?? ''));
    if (!parsed.success) return errorEvaluation('UNPARSEABLE_OUTPUT', 'Get-HotFix printed unexpected JSON', expected);
    const p = parsed.data;
    const installed = p.LatestInstalledOn ? new Date(p.LatestInstalledOn) : undefined;
    if (installed && Number.isNaN(installed.getTime())) {
      return errorEvaluation('UNPARSEABLE_OUTPUT', `unreadable install date ${p.LatestInstalledOn}`, expected);
    }
    const ageDays = installed ? Math.floor((now.getTime() - installed.getTime()) / 86_400_000) : undefined;
    const observed = {
      latest_hotfix: p.LatestHotFixId,
      latest_installed_on: p.LatestInstalledOn,
      days_since_patch: ageDays === undefined ? '' : String(ageDays),
      reboot_pending: String(p.RebootPending),
    };
    const problems: string[] = [];
    if (ageDays === undefined) problems.push('no hotfix with an install date');
    else if (ageDays > days) problems.push(`newest hotfix ${p.LatestHotFixId} is ${ageDays} days old`);
    if (p.RebootPending) problems.push('reboot pending');
    return problems.length === 0
      ? evaluation('PASS', expected, `${p.LatestHotFixId} installed ${ageDays} days ago`, observed)
      : evaluation('FAIL', expected, problems.join(', '), observed);
  },
};
