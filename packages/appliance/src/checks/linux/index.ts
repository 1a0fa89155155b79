import type { LinuxCheck } from '../check';
import { LINUX_ACCOUNTS_CHECKS } from './accounts';
import { LINUX_FILES_CHECKS } from './files';
import { LINUX_LOGGING_CHECKS } from './logging';
import { LINUX_NETWORK_CHECKS } from './network';
import { LINUX_SERVICES_CHECKS } from './services';
import { LINUX_SSH_CHECKS } from './ssh';
import { LINUX_SYSTEM_CHECKS } from './system';

/** Every Linux check the appliance can run: collector script + pure evaluator, keyed by catalog id. */
export const LINUX_CHECK_IMPLEMENTATIONS: readonly LinuxCheck[] = Object.freeze([
  ...LINUX_SSH_CHECKS,
  ...LINUX_NETWORK_CHECKS,
  ...LINUX_LOGGING_CHECKS,
  ...LINUX_SERVICES_CHECKS,
  ...LINUX_ACCOUNTS_CHECKS,
  ...LINUX_FILES_CHECKS,
  ...LINUX_SYSTEM_CHECKS,
]);
