import { CapabilityTier } from '@osiris/protocol/agent-proto';
import type { Runbook } from '../runbook';

/** RB-MAC-GK-001: re-enable Gatekeeper assessments. */
export const MACOS_GATEKEEPER_ENABLE: Runbook = {
  id: 'RB-MAC-GK-001',
  title: 'Re-enable Gatekeeper',
  checkId: 'antivirus',
  tier: CapabilityTier.SELF_HEAL,
  steps: { macos: { file: 'spctl', args: ['--master-enable'] } },
};
