import type { WindowsCheck } from '../../check';
import { guestDisabled } from './guest-disabled';
import { lockoutPolicy } from './lockout-policy';
import { passwordPolicy } from './password-policy';
import { screenLock } from './screen-lock';
import { uacEnabled } from './uac-enabled';

/** Checks of the catalog's Windows accounts group (protocol src/catalog/windows-accounts.ts). */
export const WINDOWS_ACCOUNT_CHECKS: readonly WindowsCheck[] = [
  passwordPolicy,
  lockoutPolicy,
  guestDisabled,
  screenLock,
  uacEnabled,
];
