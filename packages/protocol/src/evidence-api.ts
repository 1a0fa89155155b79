import { z } from 'zod';
import { Id, Timestamp } from './common';
import { CheckId, EvidenceStatus, SignedEvidenceBundle } from './evidence';

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
  /** When retention purged old months: the newest purged seq, from which the chain is verified. */
  anchorSeq: z.number().int().nullable().optional(),
});
export type EvidenceChainReport = z.infer<typeof EvidenceChainReport>;

/** One check run on a host, from the stored bundle (newest first in a history page). */
export const HostResultEntry = z.object({
  applianceId: Id,
  seq: z.number().int(),
  checkId: z.string(),
  status: EvidenceStatus,
  /** The appliance's one-sentence explanation (`observed.reason`), when it gave one. */
  reason: z.string().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp,
  hash: z.string(),
});
export type HostResultEntry = z.infer<typeof HostResultEntry>;

export const HostHistoryQuery = z.strictObject({
  checkId: CheckId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Opaque: `nextCursor` of the previous page. */
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'malformed cursor')
    .optional(),
});
export type HostHistoryQuery = z.infer<typeof HostHistoryQuery>;
export const HostHistoryPage = z.object({ items: z.array(HostResultEntry), nextCursor: z.string().nullable() });
export type HostHistoryPage = z.infer<typeof HostHistoryPage>;
