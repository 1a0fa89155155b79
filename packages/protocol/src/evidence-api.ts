import { z } from 'zod';
import { Id, Timestamp } from './common';
import { EvidenceStatus, SignedEvidenceBundle } from './evidence';

/** At most this many bundles per upload; the appliance batches its outbox to fit. */
export const EVIDENCE_BATCH_MAX = 500;

/** Bundles are checked one by one on the server, so a malformed one is refused by its own seq. */
export const EvidenceUploadRequest = z.strictObject({
  schemaVersion: z.literal(1),
  bundles: z.array(z.unknown()).min(1).max(EVIDENCE_BATCH_MAX),
});
export type EvidenceUploadRequest = z.infer<typeof EvidenceUploadRequest>;

/** Everything up to `acceptedThroughSeq` is stored; the appliance may drop it from its outbox. */
export const EvidenceUploadResponse = z.object({
  schemaVersion: z.literal(1),
  acceptedThroughSeq: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
});
export type EvidenceUploadResponse = z.infer<typeof EvidenceUploadResponse>;

export const EvidenceRecord = z.object({
  applianceId: Id,
  seq: z.number().int(),
  hash: z.string(),
  receivedAt: Timestamp,
  signed: SignedEvidenceBundle,
});
export type EvidenceRecord = z.infer<typeof EvidenceRecord>;
export const EvidenceListQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type EvidenceListQuery = z.infer<typeof EvidenceListQuery>;
export const EvidencePage = z.object({ items: z.array(EvidenceRecord), nextAfterSeq: z.number().int().nullable() });

export const LatestResult = z.object({
  applianceId: Id,
  hostId: Id,
  hostname: z.string(),
  checkId: z.string(),
  status: EvidenceStatus,
  seq: z.number().int(),
  finishedAt: Timestamp,
});
export type LatestResult = z.infer<typeof LatestResult>;
export const LatestResultList = z.object({ items: z.array(LatestResult) });

export const EvidenceChainReport = z.object({
  ok: z.boolean(),
  count: z.number().int(),
  headSeq: z.number().int().nullable(),
  headHash: z.string().nullable(),
  firstBad: z.object({ seq: z.number().int().nullable(), code: z.string(), message: z.string() }).nullable(),
});
export type EvidenceChainReport = z.infer<typeof EvidenceChainReport>;
