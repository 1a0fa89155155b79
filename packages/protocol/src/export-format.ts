import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { Id, Timestamp } from './common';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  type Ed25519SignKey,
  type Ed25519VerifyKey,
  Ed25519PublicKeyB64,
  Ed25519SignatureB64,
  Sha256Hex,
  signEd25519,
  utf8Bytes,
  verifyEd25519,
} from './crypto';
import { LogKeyId, SignedTreeHead } from './tree-heads';

/**
 * The auditor export (issue 8): a ZIP an auditor verifies offline with `osiris-verify` or in the
 * browser. Central writes it; `verifyExport` (export-verify.ts) reads it. The layout, with every
 * path relative to the ZIP's root:
 *
 *   manifest.json                      ExportManifest (canonical JSON)
 *   manifest.sig                       base64url Ed25519 signature by the log key over
 *                                      EXPORT_SIGNING_PREFIX + canonicalJson(manifest)
 *   log-key.json                       LogKey
 *   tree-heads.json                    ExportTreeHead[] ascending by treeSize; the last one is
 *                                      the head every inclusion proof is against
 *   consistency.json                   ExportConsistency[]: one per consecutive pair of heads
 *   tsa/<treeSize>.tst                 the DER RFC 3161 TimeStampToken of that head, when it has one
 *   tsa/trusted-certs.pem              the TSA trust list central was configured with (optional)
 *   appliances/<id>/registration.json  RegistrationRecord, signed by the log key
 *   appliances/<id>/bundles.jsonl      one SignedEvidenceBundle per line (canonical JSON, "\n"
 *                                      after each), seq ascending and contiguous
 *   appliances/<id>/proofs.jsonl       one LeafProof per line, same order as bundles.jsonl,
 *                                      against the last tree head
 *   packets/<YYYY-MM>.pdf              the monthly compliance packets of the period that exist
 *   README.md                          how to verify, written for auditors
 *
 * `manifest.files` holds the SHA-256 of every file except manifest.json and manifest.sig.
 */
export const EXPORT_FORMAT = 'osiriscare-auditor-export';
export const EXPORT_FORMAT_VERSION = 1;
export const EXPORT_SIGNING_PREFIX = 'osiriscare-export-v1:';
export const REGISTRATION_SIGNING_PREFIX = 'osiriscare-registration-v1:';

export const EXPORT_PATHS = {
  manifest: 'manifest.json',
  manifestSignature: 'manifest.sig',
  logKey: 'log-key.json',
  treeHeads: 'tree-heads.json',
  consistency: 'consistency.json',
  tsaTrust: 'tsa/trusted-certs.pem',
  readme: 'README.md',
  tsaToken: (treeSize: number) => `tsa/${treeSize}.tst`,
  registration: (applianceId: string) => `appliances/${applianceId}/registration.json`,
  bundles: (applianceId: string) => `appliances/${applianceId}/bundles.jsonl`,
  proofs: (applianceId: string) => `appliances/${applianceId}/proofs.jsonl`,
  packet: (month: string) => `packets/${month}.pdf`,
} as const;

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month as YYYY-MM');
const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const ExportPath = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path of safe segments')
  .refine((p) => !p.split('/').includes('..'), 'no ".." segments');

/** A tree head in the export: the signed head, and when it was timestamped by the TSA. */
export const ExportTreeHead = z.strictObject({
  ...SignedTreeHead.shape,
  /** genTime of `tsa/<treeSize>.tst`; null when the head has no token (then no file either). */
  tsaTime: Timestamp.nullable(),
});
export type ExportTreeHead = z.infer<typeof ExportTreeHead>;

export const ExportConsistency = z.strictObject({
  first: z.number().int().min(1),
  second: z.number().int().min(1),
  proof: z.array(Sha256Hex).max(64),
});
export type ExportConsistency = z.infer<typeof ExportConsistency>;

/** Central's statement, signed with the log key, of which key an appliance registered. */
export const RegistrationBody = z.strictObject({
  applianceId: Id,
  siteId: Id,
  practiceId: Id,
  hostname: z.string().min(1).max(253),
  publicKey: Ed25519PublicKeyB64,
  /** Hex SHA-256 of the 32 raw public-key bytes (as the monthly packet prints it). */
  fingerprint: Sha256Hex,
  registeredAt: Timestamp,
  keyId: LogKeyId,
});
export type RegistrationBody = z.infer<typeof RegistrationBody>;
export const RegistrationRecord = z.strictObject({ ...RegistrationBody.shape, signature: Ed25519SignatureB64 });
export type RegistrationRecord = z.infer<typeof RegistrationRecord>;

export const ExportApplianceEntry = z.strictObject({
  id: Id,
  siteId: Id,
  hostname: z.string().min(1).max(253),
  /** The first and last seq in bundles.jsonl; both null when the period holds none. */
  firstSeq: Seq.nullable(),
  lastSeq: Seq.nullable(),
  /** prevHash of the first bundle: 64 zeros when firstSeq is 1, else the hash of firstSeq − 1. */
  firstPrevHash: Sha256Hex.nullable(),
  bundleCount: z.number().int().min(0),
});
export type ExportApplianceEntry = z.infer<typeof ExportApplianceEntry>;

export const ExportManifest = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_FORMAT_VERSION),
  createdAt: Timestamp,
  practice: z.strictObject({ id: Id, name: z.string().min(1).max(200) }),
  /** Bundles that finished in [from, to) and are covered by the last tree head. */
  period: z.strictObject({ from: Timestamp, to: Timestamp }),
  keyId: LogKeyId,
  /** Size of the last tree head in tree-heads.json. */
  treeSize: z.number().int().min(1),
  appliances: z.array(ExportApplianceEntry).max(10_000),
  packets: z.array(Month).max(1_000),
  /** SHA-256 (hex) of every file in the ZIP except manifest.json and manifest.sig. */
  files: z.record(ExportPath, Sha256Hex),
});
export type ExportManifest = z.infer<typeof ExportManifest>;

/** Exactly what is signed for a manifest or registration record: prefix + canonical JSON. */
export function exportSigningInput(prefix: string, body: unknown): Uint8Array {
  return utf8Bytes(prefix + canonicalJson(body));
}

/** Signs a manifest; the result is the content of manifest.sig. */
export async function signExportManifest(
  manifest: ExportManifest,
  logKey: Uint8Array | Ed25519SignKey,
): Promise<string> {
  return bytesToBase64Url(await signEd25519(logKey, exportSigningInput(EXPORT_SIGNING_PREFIX, manifest)));
}

export async function signRegistration(
  body: RegistrationBody,
  logKey: Uint8Array | Ed25519SignKey,
): Promise<RegistrationRecord> {
  const signature = bytesToBase64Url(await signEd25519(logKey, exportSigningInput(REGISTRATION_SIGNING_PREFIX, body)));
  return { ...body, signature };
}

/** True when `signature` (base64url) is the log key's over `prefix + canonicalJson(body)`. */
export async function verifyLogKeySignature(
  prefix: string,
  body: unknown,
  signature: string,
  logKey: Uint8Array | Ed25519VerifyKey,
): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = base64UrlToBytes(signature);
  } catch {
    return false;
  }
  return verifyEd25519(logKey, exportSigningInput(prefix, body), bytes);
}
