import { z } from 'zod';
import { commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';
import { powerShellCollector } from './powershell';

const EXPECTED = 'Windows Firewall enabled for the Domain, Private and Public profiles';

const SCRIPT = `@(Get-NetFirewallProfile -ErrorAction Stop | ForEach-Object { [pscustomobject]@{ Name = "$($_.Name)"; Enabled = "$($_.Enabled)"; DefaultInboundAction = "$($_.DefaultInboundAction)" } }) | ConvertTo-Json -Compress`;

const Profile = z.object({
  Name: z.string().max(32),
  Enabled: z.string().max(16),
  DefaultInboundAction: z.string().max(32),
});
// ConvertTo-Json prints a single-element array as a bare object on Windows PowerShell 5.1.
const Profiles = z.union([z.array(Profile).max(8), Profile.transform((p) => [p])]);

export const windowsFirewall: PlatformCheck = {
  collect: powerShellCollector('profiles', SCRIPT),
  evaluate(collected) {
    const problem = commandProblem(collected.profiles, 'Get-NetFirewallProfile', EXPECTED);
    if (problem) return problem;
    const parsed = Profiles.safeParse(parseJson(collected.profiles?.stdout ?? ''));
    if (!parsed.success)
      return errorEvaluation('UNPARSEABLE_OUTPUT', 'Get-NetFirewallProfile printed unexpected JSON', EXPECTED);
    const observed: Record<string, string> = {};
    for (const p of parsed.data) observed[`profile_${p.Name.toLowerCase()}`] = p.Enabled;
    const missing = ['Domain', 'Private', 'Public'].filter((name) => !parsed.data.some((p) => p.Name === name));
    const disabled = parsed.data.filter((p) => p.Enabled !== 'True').map((p) => p.Name);
    if (missing.length === 0 && disabled.length === 0)
      return evaluation('PASS', EXPECTED, 'all profiles enabled', observed);
    const parts = [...disabled.map((n) => `${n} disabled`), ...missing.map((n) => `${n} not reported`)];
    return evaluation('FAIL', EXPECTED, parts.join(', '), observed);
  },
};
