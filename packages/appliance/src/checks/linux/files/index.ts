import type { LinuxCheck } from '../../check';

/** Checks of the catalog's files group (protocol src/catalog/linux-files.ts). */
export const LINUX_FILES_CHECKS: readonly LinuxCheck[] = [];
