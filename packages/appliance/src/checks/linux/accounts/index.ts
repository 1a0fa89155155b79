import type { LinuxCheck } from '../../check';

/** Checks of the catalog's accounts group (protocol src/catalog/linux-accounts.ts). */
export const LINUX_ACCOUNTS_CHECKS: readonly LinuxCheck[] = [];
