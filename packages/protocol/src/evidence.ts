import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { CHECK_ID } from './catalog/schema';
import { Id, Timestamp } from './common';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  type Ed25519SignKey,
  type Ed25519VerifyKey,
  Ed25519SignatureB64,
  importVerifyKey,
  Sha256Hex,
  sha256Hex,
  signEd25519,
  verifyEd25519,
} from './crypto';
import type { ErrorCode } from './errors';

/**
 * Evidence bundles (ARCHITECTURE.md §6): one per check run per host, chained per appliance.
 * - hash = SHA-256 of the RFC 8785 canonical JSON of the bundle (the signature is outside it);
 * - signature = Ed25519 over the UTF-8 bytes of `EVIDENCE_SIGNING_PREFIX + hash` — the prefix
 *   keeps a bundle signature from being valid for anything else the identity key signs.
 * Schemas here only validate, never transform, so a parsed bundle hashes like the one received.
 */

/** `prevHash` of the first bundle (seq 1) of an appliance's chain. */
export const EVIDENCE_GENESIS_HASH = '0'.repeat(64);
export const EVIDENCE_SIGNING_PREFIX = 'osiriscare-evidence-v1:';
const OBSERVED_MAX_KEYS = 100;
const OBSERVED_MAX_BYTES = 16_384;

export const EvidenceStatus = z.enum(['pass', 'fail', 'error', 'excepted']);
export type EvidenceStatus = z.infer<typeof EvidenceStatus>;

const boundedId = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'printable ASCII without surrounding spaces');

/** A catalog check id, e.g. `linux.ssh.permit-root-login` (the pattern lives with the catalog). */
export const CheckId = z.string().max(100).regex(CHECK_ID, 'malformed check id');
/** Control ids are free-form but bounded, e.g. `HIPAA-164.312(b)`, `NIST-AU-2`. */
export const ControlId = boundedId(100);
const Hostname = boundedId(253);

/** What the evaluator saw, as JSON: at most 100 keys and 16 KiB of canonical JSON. */
export const EvidenceObserved = z
  .record(z.string().max(100), z.json())
  .refine((value) => Object.keys(value).length <= OBSERVED_MAX_KEYS, `at most ${OBSERVED_MAX_KEYS} keys`)
  // For JSON data, JSON.stringify and RFC 8785 canonical JSON differ only in key order, so their
  // lengths are equal; the native serializer is several times cheaper on the ingest path.
  .refine((value) => JSON.stringify(value).length <= OBSERVED_MAX_BYTES, `at most ${OBSERVED_MAX_BYTES} bytes`);

export const EvidenceBundle = z
  .strictObject({
    schemaVersion: z.literal(1),
    applianceId: Id,
    seq: z.number().int().min(1),
    prevHash: Sha256Hex,
    hostId: Id,
    hostname: Hostname,
    checkId: CheckId,
    status: EvidenceStatus,
    observed: EvidenceObserved,
    evaluatorInputDigest: Sha256Hex,
    startedAt: Timestamp,
    finishedAt: Timestamp,
    clockOffsetMs: z.number().int(),
    controls: z.array(ControlId).max(64),
    /**
     * Absent for a check run. `healing` records one healing attempt on the check's host: `status`
     * is whether the repaired check passed afterwards, `observed` holds the incident, tier, rule or
     * LLM decision, runbook, per-phase output digests and the state diff.
     */
    kind: z.literal('healing').optional(),
  })
  .refine((b) => Date.parse(b.finishedAt) >= Date.parse(b.startedAt), {
    message: 'finishedAt is before startedAt',
    path: ['finishedAt'],
  })
  .refine((b) => (b.seq === 1) === (b.prevHash === EVIDENCE_GENESIS_HASH), {
    message: 'only the first bundle (seq 1) links to the genesis hash',
    path: ['prevHash'],
  });
export type EvidenceBundle = z.infer<typeof EvidenceBundle>;

export const SignedEvidenceBundle = z.strictObject({
  bundle: EvidenceBundle,
  hash: Sha256Hex,
  signature: Ed25519SignatureB64,
});
export type SignedEvidenceBundle = z.infer<typeof SignedEvidenceBundle>;

export type EvidenceFailureCode = 'BAD_HASH' | 'BAD_SIGNATURE' | 'BROKEN_LINK' | 'MALFORMED';
export type EvidenceVerifyResult =
  | { ok: true; bundle: EvidenceBundle; hash: string }
  | { ok: false; code: EvidenceFailureCode; message: string };

/** The HTTP-facing error code central answers with for each refusal. */
export const EVIDENCE_ERROR_CODE: Record<EvidenceFailureCode | 'GAP', ErrorCode> = {
  MALFORMED: 'VALIDATION_FAILED',
  BAD_HASH: 'EVIDENCE_BAD_HASH',
  BAD_SIGNATURE: 'EVIDENCE_BAD_SIGNATURE',
  BROKEN_LINK: 'EVIDENCE_BROKEN_LINK',
  GAP: 'EVIDENCE_GAP',
};

/** SHA-256 hex of the bundle's canonical JSON. */
export function hashBundle(bundle: EvidenceBundle): Promise<string> {
  return sha256Hex(canonicalJson(bundle));
}

/** Validates, hashes and signs a bundle. Throws on an invalid bundle (a bug in the builder). */
export async function signBundle(
  bundle: EvidenceBundle,
  privateKey: Uint8Array | Ed25519SignKey,
): Promise<SignedEvidenceBundle> {
  const valid = EvidenceBundle.parse(bundle);
  const hash = await hashBundle(valid);
  const signature = await signEd25519(privateKey, EVIDENCE_SIGNING_PREFIX + hash);
  return { bundle: valid, hash, signature: bytesToBase64Url(signature) };
}

function fail(code: EvidenceFailureCode, message: string): EvidenceVerifyResult {
  return { ok: false, code, message };
}

/**
 * The hashing and signature check `verifyBundle` relies on. The default runs on WebCrypto (Node and
 * browsers); a server may supply a faster one (central uses node:crypto) that checks the same
 * things: SHA-256 of the UTF-8 text as lowercase hex, and Ed25519 by the one pinned key.
 * A plain (non-promise) return is used without waiting, so work can start sooner.
 */
export interface EvidenceVerifier {
  sha256Hex(text: string): string | Promise<string>;
  /**
   * True only for a valid Ed25519 signature by the pinned key over the UTF-8 message. The signature
   * is the wire form, already checked to be the canonical unpadded base64url of 64 bytes.
   */
  verifySignature(message: string, signatureB64Url: string): boolean | Promise<boolean>;
}

/** The default verifier: WebCrypto SHA-256 and Ed25519 with `publicKey`. */
export function webCryptoEvidenceVerifier(publicKey: Uint8Array | Ed25519VerifyKey): EvidenceVerifier {
  return {
    sha256Hex,
    verifySignature: (message, signature) => verifyEd25519(publicKey, message, base64UrlToBytes(signature)),
  };
}

/**
 * Checks shape, hash, signature and (when `expectedPrevHash` is given) the link to the previous
 * bundle, in that order. Never throws. A seq-1 bundle must always link to the genesis hash.
 */
export function verifyBundle(
  signed: unknown,
  publicKey: Uint8Array | Ed25519VerifyKey,
  expectedPrevHash?: string,
): Promise<EvidenceVerifyResult> {
  return verifyBundleWith(signed, webCryptoEvidenceVerifier(publicKey), expectedPrevHash);
}

/** `verifyBundle` with the hashing and signature check supplied by the caller. Never throws. */
export async function verifyBundleWith(
  signed: unknown,
  verifier: EvidenceVerifier,
  expectedPrevHash?: string,
): Promise<EvidenceVerifyResult> {
  const parsed = SignedEvidenceBundle.safeParse(signed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('MALFORMED', `${issue?.path.join('.') || 'bundle'}: ${issue?.message ?? 'invalid'}`);
  }
  const { bundle, hash, signature } = parsed.data;
  const hashing = verifier.sha256Hex(canonicalJson(bundle));
  const computed = typeof hashing === 'string' ? hashing : await hashing;
  if (computed !== hash) return fail('BAD_HASH', `bundle ${bundle.seq} hashes to ${computed}, not ${hash}`);
  let isSigned: boolean;
  try {
    isSigned = await verifier.verifySignature(EVIDENCE_SIGNING_PREFIX + hash, signature);
  } catch {
    isSigned = false;
  }
  if (!isSigned) return fail('BAD_SIGNATURE', `bundle ${bundle.seq} is not signed by the appliance key`);
  if (expectedPrevHash !== undefined && bundle.prevHash !== expectedPrevHash) {
    return fail('BROKEN_LINK', `bundle ${bundle.seq} links to ${bundle.prevHash}, expected ${expectedPrevHash}`);
  }
  return { ok: true, bundle, hash };
}

export type EvidenceChainResult =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | {
      ok: false;
      /** Position in the input of the first bundle that fails. */
      index: number;
      /** Its seq when it could be read, else null. */
      seq: number | null;
      code: EvidenceFailureCode | 'GAP';
      message: string;
    };

/** Where a chain segment continues from; the default is the start of the chain. */
export type EvidenceChainStart = { seq: number; hash: string };

function readSeq(value: unknown): number | null {
  const seq = (value as { bundle?: { seq?: unknown } } | null)?.bundle?.seq;
  return typeof seq === 'number' ? seq : null;
}

/**
 * Verifies a run of bundles from one appliance in order: each one valid and signed, seq rising by
 * exactly one (a missing or repeated seq is `GAP`), each linking to the previous hash, all with
 * the same applianceId. Reports the first failure.
 */
export async function verifyChain(
  signedBundles: readonly unknown[],
  publicKey: Uint8Array | Ed25519VerifyKey,
  start: EvidenceChainStart = { seq: 0, hash: EVIDENCE_GENESIS_HASH },
): Promise<EvidenceChainResult> {
  const key = publicKey instanceof Uint8Array ? await importVerifyKey(publicKey) : publicKey;
  let prev = start;
  let applianceId: string | undefined;
  for (const [index, signed] of signedBundles.entries()) {
    const seq = readSeq(signed);
    if (seq !== null && seq !== prev.seq + 1) {
      return { ok: false, index, seq, code: 'GAP', message: `expected seq ${prev.seq + 1}, got ${seq}` };
    }
    const result = key
      ? await verifyBundle(signed, key, prev.hash)
      : fail('BAD_SIGNATURE', 'the public key is not a usable Ed25519 key');
    if (!result.ok) return { ok: false, index, seq, code: result.code, message: result.message };
    applianceId ??= result.bundle.applianceId;
    if (result.bundle.applianceId !== applianceId) {
      return { ok: false, index, seq, code: 'BROKEN_LINK', message: `bundle ${seq} is from another appliance` };
    }
    prev = { seq: result.bundle.seq, hash: result.hash };
  }
  return { ok: true, count: signedBundles.length, headSeq: prev.seq, headHash: prev.hash };
}
