import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput } from '../powershell';
import { FIREWALL_COLLECTOR, FirewallProfiles, missingProfiles } from './firewall-profiles';

const ID = 'windows.firewall.default-inbound-block';

/** NotConfigured in the active store means no store sets it, so the Windows default (Block) applies. */
function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, FirewallProfiles);
  if (!parsed.ok) return parsed.error;
  const { profiles } = parsed.data;
  const observed = { profiles: profiles.map((p) => `${p.name}: inbound=${p.defaultInboundAction}`) };
  const missing = missingProfiles(profiles);
  if (missing.length > 0)
    return errorEvaluation(`Get-NetFirewallProfile did not report the ${missing.join(', ')} profile.`, observed);
  const allowing = profiles.filter((p) => p.defaultInboundAction === 'Allow').map((p) => p.name);
  if (allowing.length > 0) {
    return {
      status: 'fail',
      reason: `The ${allowing.join(', ')} firewall profile allows unsolicited inbound connections by default.`,
      observed,
    };
  }
  return {
    status: 'pass',
    reason: 'Every firewall profile blocks unsolicited inbound connections by default.',
    observed,
  };
}

export const firewallDefaultInboundBlock: WindowsCheck = { id: ID, collector: FIREWALL_COLLECTOR, evaluate };
