import { z } from 'zod';
import { Id, Timestamp, text } from './common';
import { ControlId } from './evidence';
import { FrameworkId, IndustryPresetId } from './frameworks/schema';
import { ScoreCounts } from './scores';

/** Which frameworks a site is assessed against, and where that choice comes from. */
export const SiteFrameworks = z.object({
  siteId: Id,
  preset: IndustryPresetId.nullable(),
  frameworks: z.array(FrameworkId),
  /** `site`: chosen for this site; `partner`: the partner's default; `platform`: the healthcare preset. */
  source: z.enum(['site', 'partner', 'platform']),
});
export type SiteFrameworks = z.infer<typeof SiteFrameworks>;

const frameworkList = z
  .array(FrameworkId)
  .min(1)
  .max(FrameworkId.options.length)
  .refine((list) => new Set(list).size === list.length, 'each framework once');

/** A preset (its frameworks, unless `frameworks` says otherwise) or an explicit list; `null` returns to the default. */
export const FrameworkSelectionRequest = z
  .strictObject({ preset: IndustryPresetId.optional(), frameworks: frameworkList.optional() })
  .refine((r) => r.preset !== undefined || r.frameworks !== undefined, 'choose a preset or frameworks');
export type FrameworkSelectionRequest = z.infer<typeof FrameworkSelectionRequest>;

export const PartnerComplianceDefaults = z.object({
  partnerId: Id,
  preset: IndustryPresetId.nullable(),
  frameworks: z.array(FrameworkId),
  /** False while the partner never chose: new sites then follow the platform default (healthcare). */
  isSet: z.boolean(),
});
export type PartnerComplianceDefaults = z.infer<typeof PartnerComplianceDefaults>;

/** Attestation documents: PDF, PNG, JPEG or plain text, at most 2 MiB. */
export const ATTESTATION_DOCUMENT_MAX_BYTES = 2 * 1024 * 1024;
export const AttestationDocumentType = z.enum(['application/pdf', 'image/png', 'image/jpeg', 'text/plain']);

export const AttestationCreateRequest = z.strictObject({
  framework: FrameworkId,
  controlId: ControlId,
  /** What is in place, in the attester's words. */
  statement: text(2000, 10),
  expiresAt: Timestamp,
  document: z.strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\\/\p{Cc}]+$/u, 'a file name without slashes or control characters'),
    type: AttestationDocumentType,
    /** The file's bytes, base64. */
    base64: z.base64().max(Math.ceil((ATTESTATION_DOCUMENT_MAX_BYTES * 4) / 3) + 4),
  }),
});
export type AttestationCreateRequest = z.infer<typeof AttestationCreateRequest>;

export const Attestation = z.object({
  id: Id,
  practiceId: Id,
  framework: FrameworkId,
  controlId: z.string(),
  statement: z.string(),
  document: z.object({ name: z.string(), type: AttestationDocumentType, sha256: z.string(), url: z.string() }),
  attestedBy: Id.nullable(),
  attestedAt: Timestamp,
  expiresAt: Timestamp,
  revokedAt: Timestamp.nullable(),
  revokedBy: Id.nullable(),
  /** Not revoked and not expired now. */
  isValid: z.boolean(),
});
export type Attestation = z.infer<typeof Attestation>;
export const AttestationList = z.object({ items: z.array(Attestation) });

export const ScoreQuery = z.strictObject({
  /** Limit to one framework (default: the scope's selected frameworks). */
  framework: FrameworkId.optional(),
});

export const SiteScoreQuery = ScoreQuery.extend({
  /** One host's score within the site (manual controls then left out). */
  hostId: Id.optional(),
});

export const ScoreHistoryQuery = z.strictObject({
  framework: FrameworkId.optional(),
  days: z.coerce.number().int().min(7).max(366).default(30),
});

export const ScoreSnapshot = z.object({
  framework: FrameworkId,
  day: z.iso.date(),
  at: Timestamp,
  score: z.number().nullable(),
  counts: ScoreCounts,
});
export type ScoreSnapshot = z.infer<typeof ScoreSnapshot>;
export const ScoreHistory = z.object({
  scope: z.object({ kind: z.enum(['site', 'practice', 'partner']), id: Id }),
  items: z.array(ScoreSnapshot),
});
export type ScoreHistory = z.infer<typeof ScoreHistory>;
