import { LINUX_ACCOUNT_CHECKS } from './linux-accounts';
import { LINUX_FILE_CHECKS } from './linux-files';
import { LINUX_LOGGING_CHECKS } from './linux-logging';
import { LINUX_NETWORK_CHECKS } from './linux-network';
import { LINUX_SERVICE_CHECKS } from './linux-services';
import { LINUX_SSH_CHECKS } from './linux-ssh';
import { LINUX_SYSTEM_CHECKS } from './linux-system';
import type { CheckDefinition } from './schema';

/** Every Linux check, grouped by area (SSH, network, logging, services, accounts, files, system). */
export const LINUX_CHECKS: readonly CheckDefinition[] = Object.freeze([
  ...LINUX_SSH_CHECKS,
  ...LINUX_NETWORK_CHECKS,
  ...LINUX_LOGGING_CHECKS,
  ...LINUX_SERVICE_CHECKS,
  ...LINUX_ACCOUNT_CHECKS,
  ...LINUX_FILE_CHECKS,
  ...LINUX_SYSTEM_CHECKS,
]);
