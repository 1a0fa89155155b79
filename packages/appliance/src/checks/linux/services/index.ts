import type { LinuxCheck } from '../../check';

/** Checks of the catalog's services group (protocol src/catalog/linux-services.ts). */
export const LINUX_SERVICES_CHECKS: readonly LinuxCheck[] = [];
