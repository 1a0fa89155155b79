import type { LinuxCheck } from '../../check';
import { gshadowPermissionsCheck } from './gshadow-permissions';
import { passwdPermissionsCheck } from './passwd-permissions';
import { shadowPermissionsCheck } from './shadow-permissions';
import { sshdConfigPermissionsCheck } from './sshd-config-permissions';
import { sudoersPermissionsCheck } from './sudoers-permissions';
import { unownedCheck } from './unowned';
import { worldWritableCheck } from './world-writable';

/** Checks of the catalog's files group (protocol src/catalog/linux-files.ts). */
export const LINUX_FILES_CHECKS: readonly LinuxCheck[] = [
  shadowPermissionsCheck,
  gshadowPermissionsCheck,
  passwdPermissionsCheck,
  sshdConfigPermissionsCheck,
  sudoersPermissionsCheck,
  worldWritableCheck,
  unownedCheck,
];
