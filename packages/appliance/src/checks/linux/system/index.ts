import type { LinuxCheck } from '../../check';

/** Checks of the catalog's system group (protocol src/catalog/linux-system.ts). */
export const LINUX_SYSTEM_CHECKS: readonly LinuxCheck[] = [];
