import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput } from '../powershell';
import { FIREWALL_COLLECTOR, FirewallProfiles, missingProfiles } from './firewall-profiles';

const ID = 'windows.firewall.profiles-enabled';

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, FirewallProfiles);
  if (!parsed.ok) return parsed.error;
  const { profiles } = parsed.data;
  const observed = { profiles: profiles.map((p) => `${p.name}: enabled=${p.enabled}`) };
  const missing = missingProfiles(profiles);
  if (missing.length > 0)
    return errorEvaluation(`Get-NetFirewallProfile did not report the ${missing.join(', ')} profile.`, observed);
  const disabled = profiles.filter((p) => p.enabled !== 'True').map((p) => p.name);
  if (disabled.length > 0) {
    return { status: 'fail', reason: `Windows Firewall is off for the ${disabled.join(', ')} profile.`, observed };
  }
  return { status: 'pass', reason: 'Windows Firewall is on for the Domain, Private and Public profiles.', observed };
}

export const firewallProfilesEnabled: WindowsCheck = { id: ID, collector: FIREWALL_COLLECTOR, evaluate };
