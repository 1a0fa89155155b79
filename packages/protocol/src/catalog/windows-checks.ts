import type { CheckDefinition } from './schema';
import { WINDOWS_ACCOUNT_CHECKS } from './windows-accounts';
import { WINDOWS_LOGGING_CHECKS } from './windows-logging';
import { WINDOWS_NETWORK_CHECKS } from './windows-network';
import { WINDOWS_SECURITY_CHECKS } from './windows-security';
import { WINDOWS_UPDATE_CHECKS } from './windows-updates';

/** Every Windows check (run over WinRM or by the workstation agent), grouped by area. */
export const WINDOWS_CHECKS: readonly CheckDefinition[] = Object.freeze([
  ...WINDOWS_SECURITY_CHECKS,
  ...WINDOWS_ACCOUNT_CHECKS,
  ...WINDOWS_LOGGING_CHECKS,
  ...WINDOWS_NETWORK_CHECKS,
  ...WINDOWS_UPDATE_CHECKS,
]);
