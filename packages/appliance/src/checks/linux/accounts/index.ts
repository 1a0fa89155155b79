import type { LinuxCheck } from '../../check';
import { inactiveLockCheck } from './inactive-lock';
import { lockoutCheck } from './lockout';
import { noEmptyPasswordsCheck } from './no-empty-passwords';
import { passwordAgeingCheck } from './password-ageing';
import { passwordQualityCheck } from './password-quality';
import { shellTimeoutCheck } from './shell-timeout';
import { uid0OnlyRootCheck } from './uid0-only-root';

/** Checks of the catalog's accounts group (protocol src/catalog/linux-accounts.ts). */
export const LINUX_ACCOUNTS_CHECKS: readonly LinuxCheck[] = [
  uid0OnlyRootCheck,
  noEmptyPasswordsCheck,
  passwordAgeingCheck,
  inactiveLockCheck,
  passwordQualityCheck,
  lockoutCheck,
  shellTimeoutCheck,
];
