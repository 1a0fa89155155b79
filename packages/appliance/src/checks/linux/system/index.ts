import type { LinuxCheck } from '../../check';
import { aideCheck } from './aide';
import { backupRecentCheck } from './backup-recent';
import { diskEncryptionCheck } from './disk-encryption';
import { freeSpaceCheck } from './free-space';
import { macEnforcingCheck } from './mac-enforcing';
import { patchAgeCheck } from './patch-age';
import { securityUpdatesCheck } from './security-updates';
import { tmpOptionsCheck } from './tmp-options';

/** Checks of the catalog's system group (protocol src/catalog/linux-system.ts). */
export const LINUX_SYSTEM_CHECKS: readonly LinuxCheck[] = [
  macEnforcingCheck,
  securityUpdatesCheck,
  patchAgeCheck,
  diskEncryptionCheck,
  freeSpaceCheck,
  tmpOptionsCheck,
  aideCheck,
  backupRecentCheck,
];
