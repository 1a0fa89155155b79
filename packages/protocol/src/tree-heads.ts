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
  sha256Hex,
  signEd25519,
  verifyEd25519,
} from './crypto';

/**
 * The transparency log of evidence (issue 8): every accepted bundle is a leaf of one RFC 6962
 * Merkle tree (leaf data = the bundle's SHA-256 hash bytes). Central signs tree heads with its
 * Ed25519 log key over the UTF-8 bytes of `TREE_HEAD_SIGNING_PREFIX + canonicalJson(body)`,
 * where body = {treeSize, rootHash, issuedAt, keyId}. Schemas validate without transforming, so a
 * parsed head serialises to exactly the bytes that were signed.
 */
export const TREE_HEAD_SIGNING_PREFIX = 'osiriscare-tree-head-v1:';

/** Proof nodes are hashes from leaf to root: at most one per level of a tree of 2^63 leaves. */
const MAX_PROOF_NODES = 64;

/** A log key id: the first 16 hex characters of SHA-256 over the raw 32-byte public key. */
export const LogKeyId = z.string().regex(/^[0-9a-f]{16}$/, 'log key id (16 lowercase hex characters)');

export const TreeHeadBody = z.strictObject({
  treeSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  rootHash: Sha256Hex,
  issuedAt: Timestamp,
  keyId: LogKeyId,
});
export type TreeHeadBody = z.infer<typeof TreeHeadBody>;

export const SignedTreeHead = z.strictObject({ ...TreeHeadBody.shape, signature: Ed25519SignatureB64 });
export type SignedTreeHead = z.infer<typeof SignedTreeHead>;

/** A stored tree head as the API returns it, with the RFC 3161 timestamp when one was obtained. */
export const TreeHeadRecord = z.object({
  ...SignedTreeHead.shape,
  tsaTime: Timestamp.nullable(),
  /** The DER timestamp token, base64url. */
  tsaToken: z.string().nullable(),
  tsaError: z.string().nullable(),
});
export type TreeHeadRecord = z.infer<typeof TreeHeadRecord>;

export const TreeHeadPage = z.object({ items: z.array(TreeHeadRecord), nextCursor: z.string().nullable() });
export type TreeHeadPage = z.infer<typeof TreeHeadPage>;

export const LogKey = z.object({ algorithm: z.literal('ed25519'), keyId: LogKeyId, publicKey: Ed25519PublicKeyB64 });
export type LogKey = z.infer<typeof LogKey>;

const ProofNodes = z.array(Sha256Hex).max(MAX_PROOF_NODES);
const TreeSize = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const TreeHeadListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The tree size to continue below (newest first). */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'malformed cursor')
    .optional(),
});
export type TreeHeadListQuery = z.infer<typeof TreeHeadListQuery>;

export const TreeSizeParams = z.strictObject({ size: TreeSize });
export type TreeSizeParams = z.infer<typeof TreeSizeParams>;

export const ConsistencyQuery = z.strictObject({ first: TreeSize, second: TreeSize });
export type ConsistencyQuery = z.infer<typeof ConsistencyQuery>;

/** RFC 6962 §2.1.2 proof that tree head `second` extends tree head `first`. */
export const ConsistencyProofResponse = z.object({
  first: TreeHeadRecord,
  second: TreeHeadRecord,
  proof: ProofNodes,
});
export type ConsistencyProofResponse = z.infer<typeof ConsistencyProofResponse>;

export const InclusionParams = z.strictObject({
  id: Id,
  seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type InclusionParams = z.infer<typeof InclusionParams>;

export const InclusionQuery = z.strictObject({ treeSize: TreeSize.optional() });
export type InclusionQuery = z.infer<typeof InclusionQuery>;

/** One bundle's leaf and its RFC 6962 §2.1.1 audit path in a tree of `treeSize` leaves. */
export const LeafProof = z.object({
  seq: z.number().int(),
  bundleHash: Sha256Hex,
  leafIndex: z.number().int().min(0),
  proof: ProofNodes,
});
export type LeafProof = z.infer<typeof LeafProof>;

export const InclusionProofResponse = z.object({
  applianceId: Id,
  ...LeafProof.shape,
  treeHead: TreeHeadRecord,
});
export type InclusionProofResponse = z.infer<typeof InclusionProofResponse>;

/** GET /v1/appliance/proofs: the appliance's own bundles after `afterSeq` in the latest tree head. */
export const ApplianceProofsQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type ApplianceProofsQuery = z.infer<typeof ApplianceProofsQuery>;

export const ApplianceProofsResponse = z.object({
  schemaVersion: z.literal(1),
  logKey: LogKey,
  /** Null until the first tree head is issued. */
  treeHead: SignedTreeHead.nullable(),
  items: z.array(LeafProof).max(500),
  nextAfterSeq: z.number().int().nullable(),
});
export type ApplianceProofsResponse = z.infer<typeof ApplianceProofsResponse>;

/** The key id of a raw Ed25519 public key. */
export async function logKeyId(publicKeyRaw: Uint8Array): Promise<string> {
  return (await sha256Hex(publicKeyRaw)).slice(0, 16);
}

/** The exact message a tree head signature covers (also what an RFC 3161 timestamp is taken over). */
export function treeHeadSigningInput(body: TreeHeadBody): string {
  const { treeSize, rootHash, issuedAt, keyId } = TreeHeadBody.parse(body);
  return TREE_HEAD_SIGNING_PREFIX + canonicalJson({ treeSize, rootHash, issuedAt, keyId });
}

export async function signTreeHead(
  body: TreeHeadBody,
  privateKey: Uint8Array | Ed25519SignKey,
): Promise<SignedTreeHead> {
  const valid = TreeHeadBody.parse(body);
  const signature = await signEd25519(privateKey, treeHeadSigningInput(valid));
  return { ...valid, signature: bytesToBase64Url(signature) };
}

/**
 * True only for a well-formed head signed by `publicKey` whose key id matches that key. Extra
 * fields (a TreeHeadRecord's timestamp) are ignored. Never throws.
 */
export async function verifyTreeHead(head: unknown, publicKey: Uint8Array | Ed25519VerifyKey): Promise<boolean> {
  try {
    const parsed = SignedTreeHead.safeParse(pickSigned(head));
    if (!parsed.success) return false;
    const { signature, ...body } = parsed.data;
    if (publicKey instanceof Uint8Array && (await logKeyId(publicKey)) !== body.keyId) return false;
    return await verifyEd25519(publicKey, treeHeadSigningInput(body), base64UrlToBytes(signature));
  } catch {
    return false;
  }
}

function pickSigned(head: unknown): unknown {
  if (typeof head !== 'object' || head === null) return head;
  const { treeSize, rootHash, issuedAt, keyId, signature } = head as Record<string, unknown>;
  return { treeSize, rootHash, issuedAt, keyId, signature };
}
