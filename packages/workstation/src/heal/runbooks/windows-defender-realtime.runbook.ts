import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { powerShellStep, type Runbook } from '../runbook';

/** RB-WIN-SEC-006: real-time and behaviour monitoring back on, signatures updated. */
export const WINDOWS_DEFENDER_REALTIME: Runbook = {
  id: 'RB-WIN-SEC-006',
  title: 'Turn Defender real-time protection back on and update signatures',
  checkId: 'antivirus',
  tier: CapabilityTier.SELF_HEAL,
  steps: {
    windows: powerShellStep(
      `Set-MpPreference -DisableRealtimeMonitoring $false -DisableBehaviorMonitoring $false -ErrorAction Stop; Update-MpSignature -ErrorAction Continue; "RealTimeProtectionEnabled=$((Get-MpComputerStatus).RealTimeProtectionEnabled)"`,
    ),
  },
};
