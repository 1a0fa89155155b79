import type { WindowsCheck } from '../../check';
import { criticalUpdates } from './critical-updates';
import { updateService } from './update-service';

/** Checks of the catalog's Windows update group (protocol src/catalog/windows-updates.ts). */
export const WINDOWS_UPDATE_CHECKS: readonly WindowsCheck[] = [updateService, criticalUpdates];
