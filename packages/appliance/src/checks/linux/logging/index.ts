import type { LinuxCheck } from '../../check';

/** Checks of the catalog's logging group (protocol src/catalog/linux-logging.ts). */
export const LINUX_LOGGING_CHECKS: readonly LinuxCheck[] = [];
