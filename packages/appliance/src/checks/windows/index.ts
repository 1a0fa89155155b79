import type { WindowsCheck } from '../check';
import { WINDOWS_ACCOUNT_CHECKS } from './accounts';
import { WINDOWS_LOGGING_CHECKS } from './logging';
import { WINDOWS_NETWORK_CHECKS } from './network';
import { WINDOWS_SECURITY_CHECKS } from './security';
import { WINDOWS_UPDATE_CHECKS } from './updates';

/**
 * Every Windows check: a PowerShell collector that prints one JSON object and a pure evaluator,
 * keyed by catalog id. They run over WinRM or through the workstation agent.
 */
export const WINDOWS_CHECK_IMPLEMENTATIONS: readonly WindowsCheck[] = Object.freeze([
  ...WINDOWS_SECURITY_CHECKS,
  ...WINDOWS_ACCOUNT_CHECKS,
  ...WINDOWS_LOGGING_CHECKS,
  ...WINDOWS_NETWORK_CHECKS,
  ...WINDOWS_UPDATE_CHECKS,
]);
