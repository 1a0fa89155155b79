import type { WindowsCheck } from '../../check';
import { autoplayDisabled } from './autoplay-disabled';
import { bitlockerSystemDrive } from './bitlocker-system-drive';
import { defenderRealtimeProtection } from './defender-realtime-protection';
import { defenderSignaturesCurrent } from './defender-signatures-current';
import { firewallDefaultInboundBlock } from './firewall-default-inbound-block';
import { firewallProfilesEnabled } from './firewall-profiles-enabled';

/** Checks of the catalog's Windows security group (protocol src/catalog/windows-security.ts). */
export const WINDOWS_SECURITY_CHECKS: readonly WindowsCheck[] = [
  bitlockerSystemDrive,
  defenderRealtimeProtection,
  defenderSignaturesCurrent,
  firewallProfilesEnabled,
  firewallDefaultInboundBlock,
  autoplayDisabled,
];
