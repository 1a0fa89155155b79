import type { LinuxCheck } from '../../check';

/** Checks of the catalog's network group (protocol src/catalog/linux-network.ts). */
export const LINUX_NETWORK_CHECKS: readonly LinuxCheck[] = [];
