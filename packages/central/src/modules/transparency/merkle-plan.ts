import { createHash } from 'node:crypto';
import { merkleNodeHash } from '@osiris/protocol';

/**
 * Pure arithmetic of the stored Merkle log. Node (level, index) is the root of the complete,
 * aligned subtree over leaves [index * 2^level, (index + 1) * 2^level); level 0 holds leaf hashes.
 * Every subtree hash an RFC 6962 proof or root needs is a right fold of O(log n) such nodes, so
 * proofs read a handful of rows, never the leaves.
 */
export interface NodeRef {
  level: number;
  index: number;
}

export interface StoredNode extends NodeRef {
  hash: Uint8Array;
}

/** A half-open leaf range [start, end) whose subtree hash a proof carries. */
export type LeafRange = readonly [start: number, end: number];

function largestPowerOfTwoAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/** Largest power of two strictly below n (n ≥ 2): RFC 6962's split point. */
function splitPoint(n: number): number {
  return largestPowerOfTwoAtMost(n - 1);
}

/**
 * The complete subtrees composing the range [start, end), left to right: the binary decomposition
 * of its length. Ranges that RFC 6962's recursion produces are always aligned this way.
 */
export function rangeNodes([start, end]: LeafRange): NodeRef[] {
  const refs: NodeRef[] = [];
  let at = start;
  while (at < end) {
    const size = largestPowerOfTwoAtMost(end - at);
    if (at % size !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned at ${at}`);
    refs.push({ level: Math.log2(size), index: at / size });
    at += size;
  }
  return refs;
}

/** MTH of a range from its nodes in rangeNodes order: H(n1, H(n2, … H(nk-1, nk))). */
export async function foldRange(hashes: Uint8Array[]): Promise<Uint8Array> {
  let acc = hashes.at(-1);
  if (!acc) throw new RangeError('foldRange: no nodes');
  for (let i = hashes.length - 2; i >= 0; i--) acc = await merkleNodeHash(hashes[i] as Uint8Array, acc);
  return acc;
}

/** RFC 6962 §2.1.1 PATH(index, D[size]) as leaf ranges, bottom-up (proof order). */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`inclusion: leaf ${index} outside a tree of ${size}`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
    }
  }
  return ranges.reverse();
}

/** RFC 6962 §2.1.2 PROOF(first, D[second]) as leaf ranges, in proof order; empty when equal. */
export function consistencyRanges(first: number, second: number): LeafRange[] {
  if (!Number.isSafeInteger(first) || first < 1 || first > second) {
    throw new RangeError(`consistency: size ${first} outside 1..${second}`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = second;
  let size = first;
  let isWholeOldTree = true;
  while (size !== end - start) {
    const k = splitPoint(end - start);
    if (size <= k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
      size -= k;
      isWholeOldTree = false;
    }
  }
  if (!isWholeOldTree) ranges.push([start, end]);
  return ranges.reverse();
}

export const nodeKey = ({ level, index }: NodeRef): string => `${level}:${index}`;

/** Resolves ranges to hashes from fetched nodes; a missing node is an invariant broken, so it throws. */
export async function resolveRanges(ranges: LeafRange[], nodes: Map<string, Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const range of ranges) {
    const hashes = rangeNodes(range).map((ref) => {
      const hash = nodes.get(nodeKey(ref));
      if (!hash) throw new Error(`merkle node ${nodeKey(ref)} is missing`);
      return hash;
    });
    out.push(await foldRange(hashes));
  }
  return out;
}

/** RFC 6962 interior node hash, synchronously (node:crypto): what the log's append lock waits on. */
function nodeHashSync(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}
const NODE_PREFIX = new Uint8Array([0x01]);

/**
 * The nodes appending `leafHashes` to a tree of `size` leaves creates, given the hashes of its
 * right edge (rangeNodes([0, size]) in order): each leaf, then every subtree it completes.
 */
export function appendNodes(size: number, edge: Uint8Array[], leafHashes: Uint8Array[]): StoredNode[] {
  const refs = rangeNodes([0, size]);
  if (refs.length !== edge.length) throw new Error('appendNodes: the right edge does not match the tree size');
  const open = new Map<number, Uint8Array>(refs.map((ref, i) => [ref.level, edge[i] as Uint8Array]));
  const created: StoredNode[] = [];
  for (const [offset, hash] of leafHashes.entries()) created.push({ level: 0, index: size + offset, hash });
  // Completing subtrees needs the hash below, so it runs leaf by leaf.
  for (let offset = 0; offset < leafHashes.length; offset++) {
    let level = 0;
    let index = size + offset;
    let hash = leafHashes[offset] as Uint8Array;
    while (index % 2 === 1) {
      const left = open.get(level);
      if (!left) throw new Error(`appendNodes: no open subtree at level ${level}`);
      open.delete(level);
      hash = nodeHashSync(left, hash);
      level += 1;
      index = (index - 1) / 2;
      created.push({ level, index, hash });
    }
    open.set(level, hash);
  }
  return created;
}
