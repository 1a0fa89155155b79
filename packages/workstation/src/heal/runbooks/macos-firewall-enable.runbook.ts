import { CapabilityTier } from '@osiris/protocol/agent-proto';
import type { Runbook } from '../runbook';

/** RB-MAC-FW-001: turn the application firewall on. */
export const MACOS_FIREWALL_ENABLE: Runbook = {
  id: 'RB-MAC-FW-001',
  title: 'Turn the macOS application firewall on',
  checkId: 'firewall',
  tier: CapabilityTier.SELF_HEAL,
  steps: { macos: { file: '/usr/libexec/ApplicationFirewall/socketfilterfw', args: ['--setglobalstate', 'on'] } },
};
