import {
  base64UrlToBytes,
  type ConsistencyProofResponse,
  hexToBytes,
  type LogKey,
  merkleLeafHash,
  type TreeHeadRecord,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from '@osiris/protocol';
import { fetchInclusion } from './proofs-api';

/**
 * The checks a browser makes on what central serves from the transparency log: every one is
 * recomputed here from hashes and signatures, with the log key the person can compare out of band.
 */

const logKeyBytes = (key: LogKey): Uint8Array => base64UrlToBytes(key.publicKey);

/** True when the head is signed by this log key (and names its key id). */
export const isHeadSigned = (head: TreeHeadRecord, key: LogKey): Promise<boolean> =>
  verifyTreeHead(head, logKeyBytes(key));

export type InclusionOutcome =
  | { seq: number; state: 'verified'; leafIndex: number }
  | { seq: number; state: 'pending' }
  | { seq: number; state: 'failed'; reason: string };

/**
 * Checks that the bundle with this seq and hash sits in the given (already signature-checked) tree
 * head. A bundle the log has not put in that head yet is `pending`, not a failure.
 */
export async function checkInclusion(
  applianceId: string,
  bundle: { seq: number; hash: string },
  head: Pick<TreeHeadRecord, 'treeSize' | 'rootHash'>,
): Promise<InclusionOutcome> {
  const { seq } = bundle;
  let answer: Awaited<ReturnType<typeof fetchInclusion>>;
  try {
    answer = await fetchInclusion(applianceId, seq, head.treeSize);
  } catch (error) {
    return { seq, state: 'failed', reason: error instanceof Error ? error.message : 'the proof could not be fetched' };
  }
  if (answer === null) return { seq, state: 'pending' };
  if (answer.applianceId !== applianceId || answer.seq !== seq)
    return { seq, state: 'failed', reason: 'the proof is for another bundle' };
  if (answer.bundleHash !== bundle.hash)
    return { seq, state: 'failed', reason: 'the log holds a different hash for this bundle' };
  if (answer.treeHead.treeSize !== head.treeSize || answer.treeHead.rootHash !== head.rootHash)
    return { seq, state: 'failed', reason: 'the proof is against another tree head' };
  const leaf = await merkleLeafHash(hexToBytes(answer.bundleHash));
  const ok = await verifyInclusion(
    leaf,
    answer.leafIndex,
    head.treeSize,
    answer.proof.map(hexToBytes),
    hexToBytes(head.rootHash),
  );
  return ok
    ? { seq, state: 'verified', leafIndex: answer.leafIndex }
    : { seq, state: 'failed', reason: 'the audit path does not lead to the signed root hash' };
}

/** Runs `work` over `items` with at most `limit` at once, reporting each one done. */
export async function eachLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  onDone: (done: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  async function lane() {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
      onDone(++done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

export type ConsistencyOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Checks central's consistency answer against the two heads the person chose: both signed by the
 * log key, the same heads as shown, and the RFC 6962 proof that the newer extends the older.
 */
export async function checkConsistency(
  answer: ConsistencyProofResponse,
  older: TreeHeadRecord,
  newer: TreeHeadRecord,
  key: LogKey,
): Promise<ConsistencyOutcome> {
  const same = (a: TreeHeadRecord, b: TreeHeadRecord) => a.treeSize === b.treeSize && a.rootHash === b.rootHash;
  if (!same(answer.first, older) || !same(answer.second, newer))
    return { ok: false, reason: 'central answered with other tree heads than the ones chosen' };
  const [firstSigned, secondSigned] = await Promise.all([
    isHeadSigned(answer.first, key),
    isHeadSigned(answer.second, key),
  ]);
  if (!firstSigned)
    return { ok: false, reason: `the tree head of size ${older.treeSize} is not signed by the log key` };
  if (!secondSigned)
    return { ok: false, reason: `the tree head of size ${newer.treeSize} is not signed by the log key` };
  const ok = await verifyConsistency(
    older.treeSize,
    newer.treeSize,
    hexToBytes(older.rootHash),
    hexToBytes(newer.rootHash),
    answer.proof.map(hexToBytes),
  );
  return ok ? { ok: true } : { ok: false, reason: 'the consistency proof does not connect the two root hashes' };
}
