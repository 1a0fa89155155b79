import type { RunbookDefinition } from '../runbook';
import { auditPolicyRunbook } from './audit-policy';
import { autoplayDisabledRunbook } from './autoplay-disabled';
import { bitlockerSystemDriveRunbook } from './bitlocker-system-drive';
import { criticalUpdatesRunbook } from './critical-updates';
import { defenderProtectionRunbook } from './defender-protection';
import { eventLogsRunbook } from './event-logs';
import { firewallProfilesRunbook } from './firewall-profiles';
import { guestDisabledRunbook } from './guest-disabled';
import { lockoutPolicyRunbook } from './lockout-policy';
import { lsaProtectionRunbook } from './lsa-protection';
import { ntlmHardeningRunbook } from './ntlm-hardening';
import { passwordPolicyRunbook } from './password-policy';
import { rdpNlaRequiredRunbook } from './rdp-nla-required';
import { screenLockRunbook } from './screen-lock';
import { smbSigningRequiredRunbook } from './smb-signing-required';
import { smbV1DisabledRunbook } from './smb-v1-disabled';
import { timeServiceRunbook } from './time-service';
import { uacEnabledRunbook } from './uac-enabled';
import { updateServiceRunbook } from './update-service';

/**
 * The Windows runbooks (reference §4.2, rebuilt): PowerShell phases that print one JSON object,
 * run over WinRM or by the workstation agent. One per repaired check area, keyed `rb-<check id>`.
 */
export const WINDOWS_RUNBOOKS: readonly RunbookDefinition[] = Object.freeze([
  bitlockerSystemDriveRunbook,
  defenderProtectionRunbook,
  firewallProfilesRunbook,
  autoplayDisabledRunbook,
  passwordPolicyRunbook,
  lockoutPolicyRunbook,
  guestDisabledRunbook,
  screenLockRunbook,
  uacEnabledRunbook,
  auditPolicyRunbook,
  eventLogsRunbook,
  timeServiceRunbook,
  smbV1DisabledRunbook,
  smbSigningRequiredRunbook,
  rdpNlaRequiredRunbook,
  ntlmHardeningRunbook,
  lsaProtectionRunbook,
  updateServiceRunbook,
  criticalUpdatesRunbook,
]);
