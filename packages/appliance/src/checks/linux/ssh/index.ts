import type { LinuxCheck } from '../../check';

/** Checks of the catalog's ssh group (protocol src/catalog/linux-ssh.ts). */
export const LINUX_SSH_CHECKS: readonly LinuxCheck[] = [];
