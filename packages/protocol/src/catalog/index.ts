import { HIPAA_CONTROLS } from './controls';
import { LINUX_CHECKS } from './linux-checks';
import type { CheckDefinition, HipaaControl } from './schema';
import { WINDOWS_CHECKS } from './windows-checks';
import { WORKSTATION_CHECKS } from './workstation-checks';

export { HIPAA_CONTROLS } from './controls';
export { LINUX_CHECKS } from './linux-checks';
export * from './schema';
export { WINDOWS_CHECKS } from './windows-checks';
export { WORKSTATION_CHECKS } from './workstation-checks';

/**
 * Every check of every platform; the catalog central, the appliance and the web app share. The
 * appliance runs the Linux and Windows server checks itself; workstation checks come from agents.
 */
export const ALL_CHECKS: readonly CheckDefinition[] = Object.freeze([
  ...LINUX_CHECKS,
  ...WINDOWS_CHECKS,
  ...WORKSTATION_CHECKS,
]);

const checksById = new Map(ALL_CHECKS.map((check) => [check.id, check]));
const controlsById = new Map(HIPAA_CONTROLS.map((control) => [control.id, control]));

export const checkById = (id: string): CheckDefinition | undefined => checksById.get(id);

export const controlById = (specId: string): HipaaControl | undefined => controlsById.get(specId);

/**
 * Checks that cite exactly this HIPAA citation. A standard such as 164.312(a)(1) does not pull in
 * the checks citing its implementation specifications; use `standardId` on the controls for that.
 */
export const checksForControl = (specId: string): readonly CheckDefinition[] =>
  ALL_CHECKS.filter((check) => check.hipaa.includes(specId));
