import { type Ed25519VerifyKey, hexToBytes } from './crypto';
import { type EvidenceChainStart, verifyChain } from './evidence';
import { EXPORT_PATHS, type ExportApplianceEntry } from './export-format';
import {
  describeIssue,
  ExportCheckFailure,
  fail,
  forEachLine,
  parseJson,
  readBytes,
  type VerifiedLog,
  type VerifyContext,
} from './export-verify-context';
import { merkleLeafHash, verifyInclusion } from './merkle';
import { LeafProof } from './tree-heads';

/**
 * Step 7, per appliance: the bundle chain (bundles.jsonl) and the inclusion proofs (proofs.jsonl).
 * Work runs a window at a time with the WebCrypto calls of the window in parallel, which is several
 * times faster than one await after another; results are then read in line order, so the failure
 * reported is always the first line that does not hold, as in a sequential check.
 */

const STEP = 'appliances';
/** Bundles per verifyChain call, chunks verified at once, and proofs verified at once. */
const CHUNK = 500;
const CHUNKS_AT_ONCE = 4;
const PROOFS_AT_ONCE = 256;

export type Progress = { done: number; total: number };
/** What the proofs are checked against: per bundle line, its seq and hash. */
type ChainRecord = { seqs: number[]; hashes: string[] };

/** What each verifyChain failure code means to an auditor. */
const CHAIN_FAILURE: Record<string, string> = {
  MALFORMED: 'is not a well-formed signed bundle',
  BAD_HASH: 'was altered: its content does not hash to its hash',
  BAD_SIGNATURE: 'is not signed by the registered appliance key',
  BROKEN_LINK: 'breaks the chain: prevHash is not the hash of the bundle before it',
  GAP: 'breaks the chain: a bundle is missing or out of order',
};

type Chunk = { firstLine: number; values: unknown[] };

/** The seq and hash a chunk's last line claims: where the next chunk continues if this one holds. */
function claimedEnd(chunk: Chunk): EvidenceChainStart {
  const last = chunk.values.at(-1) as { bundle?: { seq?: unknown }; hash?: unknown } | null;
  const seq = last?.bundle?.seq;
  const hash = last?.hash;
  // When the claim is unreadable, that line fails its own chunk first, so this start is never used.
  return typeof seq === 'number' && typeof hash === 'string' ? { seq, hash } : { seq: -1, hash: '' };
}

export async function checkBundles(
  ctx: VerifyContext,
  entry: ExportApplianceEntry,
  key: Ed25519VerifyKey,
  progress: Progress,
): Promise<ChainRecord> {
  const path = EXPORT_PATHS.bundles(entry.id);
  const bytes = readBytes(ctx, path, STEP, entry.bundleCount === 0);
  const lineItem = (line: number, seq: number | null) => `${path} line ${line}${seq === null ? '' : ` (seq ${seq})`}`;
  const record: ChainRecord = { seqs: [], hashes: [] };
  const first = entry.firstSeq === null ? null : { seq: entry.firstSeq - 1, hash: entry.firstPrevHash as string };
  let start = first;
  let window: Chunk[] = [];
  let chunk: Chunk = { firstLine: 1, values: [] };

  const drain = async () => {
    if (start === null) fail(lineItem(1, null), STEP, 'the manifest lists no bundles for this appliance');
    const starts: EvidenceChainStart[] = [];
    let next: EvidenceChainStart = start;
    for (const pending of window) {
      starts.push(next);
      next = claimedEnd(pending);
    }
    const results = await Promise.all(window.map((pending, i) => verifyChain(pending.values, key, starts[i])));
    for (const [i, result] of results.entries()) {
      const { firstLine, values } = window[i] as Chunk;
      if (!result.ok) {
        const why = `${CHAIN_FAILURE[result.code] ?? result.code} (${result.message})`;
        fail(lineItem(firstLine + result.index, result.seq), STEP, why);
      }
      for (const [offset, value] of values.entries()) {
        const { bundle, hash } = value as { bundle: { applianceId: string; seq: number }; hash: string };
        if (bundle.applianceId !== entry.id) {
          fail(lineItem(firstLine + offset, bundle.seq), STEP, `is a bundle of appliance ${bundle.applianceId}`);
        }
        record.seqs.push(bundle.seq);
        record.hashes.push(hash);
      }
      start = { seq: result.headSeq, hash: result.headHash };
      progress.done += values.length;
    }
    ctx.progress(STEP, progress.done, progress.total);
    window = [];
  };

  const lines = await forEachLine(bytes, path, STEP, async (line, lineNumber) => {
    chunk.values.push(parseJson(line, lineItem(lineNumber, null), STEP));
    if (chunk.values.length < CHUNK) return;
    window.push(chunk);
    chunk = { firstLine: lineNumber + 1, values: [] };
    if (window.length >= CHUNKS_AT_ONCE) await drain();
  });
  if (chunk.values.length > 0) window.push(chunk);
  if (window.length > 0) await drain();
  if (lines !== entry.bundleCount) fail(path, STEP, `holds ${lines} bundle(s); the manifest says ${entry.bundleCount}`);
  if (lines > 0 && record.seqs.at(-1) !== entry.lastSeq) {
    fail(path, STEP, `ends at seq ${String(record.seqs.at(-1))}; the manifest says lastSeq ${String(entry.lastSeq)}`);
  }
  return record;
}

/** One proof line's outcome: null when it holds, else the failure (checked in line order). */
type ProofOutcome = { item: string; failure: Promise<string | null> };

async function checkInclusion(proof: LeafProof, treeSize: number, root: Uint8Array): Promise<string | null> {
  const leaf = await merkleLeafHash(hexToBytes(proof.bundleHash));
  const ok = await verifyInclusion(leaf, proof.leafIndex, treeSize, proof.proof.map(hexToBytes), root);
  return ok ? null : `the inclusion proof does not lead to the root of tree head ${treeSize}`;
}

/** The synchronous checks of one proof line; throws ExportCheckFailure for the first that fails. */
function readProof(line: string, item: string, lineNumber: number, chain: ChainRecord, treeSize: number): LeafProof {
  const seq = chain.seqs[lineNumber - 1];
  if (seq === undefined) fail(item, STEP, `has no bundle: bundles.jsonl holds ${chain.seqs.length}`);
  const parsed = LeafProof.safeParse(parseJson(line, item, STEP));
  if (!parsed.success) fail(item, STEP, describeIssue(parsed.error));
  const proof = parsed.data;
  if (proof.seq !== seq) {
    fail(item, STEP, `is for seq ${proof.seq}, but line ${lineNumber} of bundles.jsonl is seq ${seq}`);
  }
  if (proof.bundleHash !== chain.hashes[lineNumber - 1]) fail(item, STEP, 'bundleHash is not the hash of the bundle');
  if (proof.leafIndex >= treeSize) {
    fail(item, STEP, `leafIndex ${proof.leafIndex} is outside the tree of ${treeSize}`);
  }
  return proof;
}

export async function checkProofs(
  ctx: VerifyContext,
  log: VerifiedLog,
  entry: ExportApplianceEntry,
  chain: ChainRecord,
  progress: Progress,
): Promise<number> {
  const path = EXPORT_PATHS.proofs(entry.id);
  const bytes = readBytes(ctx, path, STEP, chain.seqs.length === 0);
  const root = hexToBytes(log.head.rootHash);
  const treeSize = log.head.treeSize;
  let batch: ProofOutcome[] = [];
  const drain = async () => {
    const failures = await Promise.all(batch.map((outcome) => outcome.failure));
    for (const [i, failure] of failures.entries()) {
      if (failure !== null) fail((batch[i] as ProofOutcome).item, STEP, failure);
    }
    progress.done += batch.length;
    ctx.progress(STEP, progress.done, progress.total);
    batch = [];
  };
  const lines = await forEachLine(bytes, path, STEP, async (line, lineNumber) => {
    const seq = chain.seqs[lineNumber - 1];
    const item = `${path} line ${lineNumber}${seq === undefined ? '' : ` (seq ${seq})`}`;
    let failure: Promise<string | null>;
    try {
      failure = checkInclusion(readProof(line, item, lineNumber, chain, treeSize), treeSize, root);
    } catch (error) {
      if (!(error instanceof ExportCheckFailure)) throw error;
      failure = Promise.resolve(error.message);
    }
    batch.push({ item, failure });
    if (batch.length >= PROOFS_AT_ONCE) await drain();
  });
  await drain();
  if (lines !== chain.seqs.length) fail(path, STEP, `holds ${lines} proof(s) for ${chain.seqs.length} bundle(s)`);
  return lines;
}
