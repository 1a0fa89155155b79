import { z } from 'zod';
import { text } from '../common';

/** The compliance frameworks a site can be assessed against. Stable ids: stored with site settings and scores. */
export const FrameworkId = z.enum([
  'hipaa',
  'soc2',
  'pci-dss-4',
  'nist-csf-2',
  'nist-800-171',
  'sox-itgc',
  'gdpr-32',
  'cmmc-l2',
  'iso-27001-2022',
  'cis-v8',
]);
export type FrameworkId = z.infer<typeof FrameworkId>;

/** How each framework numbers its controls, as the standard (or, for SOX, we) write them. */
export const CONTROL_ID_PATTERNS: Readonly<Record<FrameworkId, RegExp>> = Object.freeze({
  hipaa: /^164\.3(?:0[68]|1[0246])\([a-e]\)(?:\(\d{1,2}\))?(?:\((?:i|ii|iii|iv|v)\))?(?:\([A-E]\))?$/,
  soc2: /^(?:CC[1-9]\.\d{1,2}|A1\.\d|C1\.\d|PI1\.\d|P[1-8]\.\d)$/,
  'pci-dss-4': /^(?:[1-9]|1[0-2])(?:\.\d{1,2}){1,3}$/,
  'nist-csf-2': /^(?:GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$/,
  'nist-800-171': /^3\.(?:[1-9]|1[0-4])\.\d{1,2}$/,
  'sox-itgc': /^SOX-(?:AC|PC|PD|CO)-\d{2}$/,
  'gdpr-32': /^(?:5\(1\)\(f\)|25\([12]\)|32\(1\)\([a-d]\)|32\([24]\)|33\([1-5]\))$/,
  'cmmc-l2': /^(?:AC|AT|AU|CM|IA|IR|MA|MP|PS|PE|RA|CA|SC|SI)\.L2-3\.(?:[1-9]|1[0-4])\.\d{1,2}$/,
  'iso-27001-2022': /^A\.[5-8]\.\d{1,2}$/,
  'cis-v8': /^(?:[1-9]|1[0-8])\.\d{1,2}$/,
});

/** CIS Controls v8 implementation group: the smallest group (1 = basic hygiene) that includes the safeguard. */
export const CisImplementationGroup = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type CisImplementationGroup = z.infer<typeof CisImplementationGroup>;

/**
 * One control (requirement, criterion, subcategory, safeguard…) of a framework. Ids are written as the
 * standard numbers them; titles and descriptions are our own short paraphrases, never the standard's text.
 */
export const FrameworkControl = z
  .strictObject({
    framework: FrameworkId,
    id: z.string().min(1).max(40),
    title: text(160),
    /** The family, section, category or principal requirement the control sits under. */
    family: text(120),
    description: text(500).optional(),
    /** HIPAA only: whether the implementation specification is required or addressable (standards: required). */
    requirement: z.enum(['required', 'addressable']).optional(),
    /** CIS Controls v8 only. */
    implementationGroup: CisImplementationGroup.optional(),
  })
  .superRefine((control, ctx) => {
    if (!CONTROL_ID_PATTERNS[control.framework].test(control.id)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `not a ${control.framework} control id` });
    }
    if ((control.framework === 'hipaa') !== (control.requirement !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['requirement'], message: 'requirement is set for HIPAA and only HIPAA' });
    }
    if ((control.framework === 'cis-v8') !== (control.implementationGroup !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['implementationGroup'],
        message: 'implementation group is for CIS v8 only',
      });
    }
  });
export type FrameworkControl = z.infer<typeof FrameworkControl>;

export const Framework = z.strictObject({
  id: FrameworkId,
  name: text(80),
  version: text(40),
  description: text(300),
});
export type Framework = z.infer<typeof Framework>;

export const IndustryPresetId = z.enum([
  'healthcare',
  'dental',
  'behavioral-health',
  'eu-clinic',
  'finance',
  'defense-contractor',
  'saas',
  'retail',
  'general',
]);
export type IndustryPresetId = z.infer<typeof IndustryPresetId>;

export const IndustryPreset = z.strictObject({
  id: IndustryPresetId,
  name: text(80),
  description: text(300),
  frameworks: z.array(FrameworkId).min(1).max(10),
});
export type IndustryPreset = z.infer<typeof IndustryPreset>;

/** A table row: id, our short title, optional description. */
export type ControlRow = readonly [id: string, title: string, description?: string];

/** Builds a family's controls from compact rows. */
export const rowsToControls = (
  framework: FrameworkId,
  family: string,
  rows: readonly ControlRow[],
): FrameworkControl[] =>
  rows.map(([id, title, description]) => ({
    framework,
    id,
    title,
    family,
    ...(description === undefined ? {} : { description }),
  }));
