import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { powerShellStep, type Runbook } from '../runbook';

/** RB-WIN-LOCK-001: set the machine inactivity limit ("Interactive logon: Machine inactivity limit") to 900 s. */
export const WINDOWS_SCREEN_LOCK_POLICY: Runbook = {
  id: 'RB-WIN-LOCK-001',
  title: 'Set the machine inactivity limit to 15 minutes',
  checkId: 'screen_lock',
  tier: CapabilityTier.SELF_HEAL,
  steps: {
    windows: powerShellStep(
      `New-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' -Name InactivityTimeoutSecs -PropertyType DWord -Value 900 -Force -ErrorAction Stop | Out-Null; "InactivityTimeoutSecs=900"`,
    ),
  },
};
