import { CIS_V8_CONTROLS_A } from './cis-v8';
import { CIS_V8_CONTROLS_B } from './cis-v8-b';
import { CMMC_L2_CONTROLS } from './cmmc-l2';
import { GDPR_32_CONTROLS } from './gdpr-32';
import { HIPAA_FRAMEWORK_CONTROLS } from './hipaa';
import { ISO_27001_2022_CONTROLS } from './iso-27001-2022';
import { CHECK_CONTROL_MAP } from './mapping';
import { NIST_800_171_CONTROLS_A } from './nist-800-171';
import { NIST_800_171_CONTROLS_B } from './nist-800-171-b';
import { NIST_CSF_2_CONTROLS } from './nist-csf-2';
import { PCI_DSS_4_CONTROLS } from './pci-dss-4';
import { type FrameworkControl, FrameworkId } from './schema';
import { SOC2_CONTROLS } from './soc2';
import { SOX_ITGC_CONTROLS } from './sox-itgc';

export { CHECK_CONTROL_MAP, type CheckControls } from './mapping';
export { FRAMEWORKS, PRESETS } from './presets';
export {
  CisImplementationGroup,
  CONTROL_ID_PATTERNS,
  Framework,
  FrameworkControl,
  FrameworkId,
  IndustryPreset,
  IndustryPresetId,
} from './schema';

const CONTROLS: Readonly<Record<FrameworkId, readonly FrameworkControl[]>> = Object.freeze({
  hipaa: HIPAA_FRAMEWORK_CONTROLS,
  soc2: SOC2_CONTROLS,
  'pci-dss-4': PCI_DSS_4_CONTROLS,
  'nist-csf-2': NIST_CSF_2_CONTROLS,
  'nist-800-171': Object.freeze([...NIST_800_171_CONTROLS_A, ...NIST_800_171_CONTROLS_B]),
  'sox-itgc': SOX_ITGC_CONTROLS,
  'gdpr-32': GDPR_32_CONTROLS,
  'cmmc-l2': CMMC_L2_CONTROLS,
  'iso-27001-2022': ISO_27001_2022_CONTROLS,
  'cis-v8': Object.freeze([...CIS_V8_CONTROLS_A, ...CIS_V8_CONTROLS_B]),
});

const controlIndex = new Map(
  Object.entries(CONTROLS).map(([framework, controls]) => [framework, new Map(controls.map((c) => [c.id, c]))]),
);

/** framework → control id → ids of the checks that evidence it. */
const checkIndex = new Map<string, Map<string, string[]>>();
for (const [checkId, byFramework] of CHECK_CONTROL_MAP) {
  for (const [framework, controlIds] of Object.entries(byFramework)) {
    const perControl = checkIndex.get(framework) ?? new Map<string, string[]>();
    checkIndex.set(framework, perControl);
    for (const controlId of controlIds) perControl.set(controlId, [...(perControl.get(controlId) ?? []), checkId]);
  }
}

/** Every control of a framework, in the standard's order. */
export const controlsOf = (framework: FrameworkId): readonly FrameworkControl[] => CONTROLS[framework];

export const controlOf = (framework: FrameworkId, controlId: string): FrameworkControl | undefined =>
  controlIndex.get(framework)?.get(controlId);

/**
 * Controls a check evidences: in one framework, or in all (framework order). Unknown check → empty.
 * Controls come back as data, looked up from the framework tables.
 */
export const controlsForCheck = (checkId: string, framework?: FrameworkId): readonly FrameworkControl[] => {
  const byFramework = CHECK_CONTROL_MAP.get(checkId);
  if (!byFramework) return [];
  const frameworks = framework ? [framework] : FrameworkId.options;
  return frameworks.flatMap((f) =>
    byFramework[f].flatMap((id) => {
      const control = controlOf(f, id);
      return control ? [control] : [];
    }),
  );
};

/** Ids of the catalog checks that evidence one control (named so as not to clash with the catalog's HIPAA-only `checksForControl`). */
export const checksForFrameworkControl = (framework: FrameworkId, controlId: string): readonly string[] =>
  checkIndex.get(framework)?.get(controlId) ?? [];

/**
 * A manual control is one no check evidences: a person attests to it (policy, training, contract…).
 * False for an id the framework does not have.
 */
export const isManualControl = (framework: FrameworkId, controlId: string): boolean =>
  controlOf(framework, controlId) !== undefined && checksForFrameworkControl(framework, controlId).length === 0;
