import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { powerShellStep, type Runbook } from '../runbook';

/** RB-WIN-SEC-001: re-enable every Windows Firewall profile. */
export const WINDOWS_FIREWALL_ENABLE: Runbook = {
  id: 'RB-WIN-SEC-001',
  title: 'Re-enable Windows Firewall on all profiles',
  checkId: 'firewall',
  tier: CapabilityTier.SELF_HEAL,
  steps: {
    windows: powerShellStep(
      `Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -ErrorAction Stop; Get-NetFirewallProfile | ForEach-Object { "$($_.Name)=$($_.Enabled)" }`,
    ),
  },
};
