import { bytesEqual, sha256 } from './crypto';

/**
 * Merkle trees with RFC 6962 hashing (RFC 9162 §2.1): leaf = SHA-256(0x00 || data),
 * node = SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at the largest power of
 * two below n. Proofs are generated as RFC 6962 §2.1.1–2.1.2 define them and checked with the
 * RFC 9162 §2.1.3.2 / §2.1.4.2 algorithms, so any CT-style verifier agrees.
 *
 * All hashes are raw 32-byte arrays; `leaves` are the leaf *data* (for evidence: the bundle hash
 * bytes). Verifiers never throw: anything malformed is `false`.
 */

const HASH_BYTES = 32;

function concat(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + parts.reduce((sum, part) => sum + part.length, 0));
  out[0] = prefix;
  let offset = 1;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function merkleLeafHash(data: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(0x00, data));
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(0x01, left, right));
}

/** Largest power of two strictly less than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Memoised subtree hashes over one list of leaf hashes, so one proof costs O(n) hashes. */
function subtreeHasher(leafHashes: Uint8Array[]) {
  const memo = new Map<string, Promise<Uint8Array>>();
  const mth = (start: number, end: number): Promise<Uint8Array> => {
    const key = `${start}:${end}`;
    let hash = memo.get(key);
    if (!hash) {
      hash = compute(start, end);
      memo.set(key, hash);
    }
    return hash;
  };
  const compute = async (start: number, end: number): Promise<Uint8Array> => {
    const n = end - start;
    if (n === 0) return sha256(new Uint8Array(0));
    if (n === 1) return leafHashes[start] as Uint8Array;
    const k = splitPoint(n);
    const [left, right] = await Promise.all([mth(start, start + k), mth(start + k, end)]);
    return merkleNodeHash(left, right);
  };
  return mth;
}

function hashLeaves(leaves: Uint8Array[]): Promise<Uint8Array[]> {
  return Promise.all(leaves.map((leaf) => merkleLeafHash(leaf)));
}

/** MTH(D[n]); the empty tree's root is SHA-256 of the empty string. */
export async function merkleRoot(leaves: Uint8Array[]): Promise<Uint8Array> {
  return subtreeHasher(await hashLeaves(leaves))(0, leaves.length);
}

/** PATH(index, D[n]) from RFC 6962 §2.1.1: sibling hashes from the leaf up to the root. */
export async function inclusionProof(index: number, leaves: Uint8Array[]): Promise<Uint8Array[]> {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`inclusionProof: index ${index} outside a tree of ${leaves.length}`);
  }
  const mth = subtreeHasher(await hashLeaves(leaves));
  const path: Promise<Uint8Array>[] = [];
  let start = 0;
  let end = leaves.length;
  let m = index;
  // Walk down from the root; the sibling at each level is collected top-down, then reversed.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push(mth(start + k, end));
      end = start + k;
    } else {
      path.push(mth(start, start + k));
      start += k;
      m -= k;
    }
  }
  return (await Promise.all(path)).reverse();
}

/** PROOF(m, D[n]) from RFC 6962 §2.1.2 for 1 ≤ m ≤ n; empty when m = n. */
export async function consistencyProof(m: number, leaves: Uint8Array[]): Promise<Uint8Array[]> {
  const n = leaves.length;
  if (!Number.isInteger(m) || m < 1 || m > n) throw new RangeError(`consistencyProof: size ${m} outside 1..${n}`);
  const mth = subtreeHasher(await hashLeaves(leaves));
  const proof: Promise<Uint8Array>[] = [];
  let start = 0;
  let end = n;
  let size = m;
  let isWholeOldTree = true;
  // SUBPROOF(size, D[start:end], isWholeOldTree), unrolled; nodes collected top-down, then reversed.
  while (size !== end - start) {
    const k = splitPoint(end - start);
    if (size <= k) {
      proof.push(mth(start + k, end));
      end = start + k;
    } else {
      proof.push(mth(start, start + k));
      start += k;
      size -= k;
      isWholeOldTree = false;
    }
  }
  if (!isWholeOldTree) proof.push(mth(start, end));
  return (await Promise.all(proof)).reverse();
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_BYTES;
}

function isHashList(values: unknown): values is Uint8Array[] {
  return Array.isArray(values) && values.length <= 64 && values.every(isHash);
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** RFC 9162 §2.1.3.2: does `leafHash` sit at `index` in the tree of `treeSize` leaves with `root`? */
export async function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  try {
    if (!isHash(leafHash) || !isHash(root) || !isHashList(proof) || !isSize(index) || !isSize(treeSize)) return false;
    if (index >= treeSize) return false;
    // Math.floor(x / 2) rather than >> so sizes beyond 2^31 stay correct.
    let fn = index;
    let sn = treeSize - 1;
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await merkleNodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = await merkleNodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && bytesEqual(r, root);
  } catch {
    return false;
  }
}

/**
 * RFC 9162 §2.1.4.2: is the tree of `newSize` leaves with `newRoot` an append-only extension of the
 * tree of `oldSize` leaves with `oldRoot`? Equal sizes need an empty proof and equal roots.
 */
export async function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: Uint8Array[],
): Promise<boolean> {
  try {
    if (!isHash(oldRoot) || !isHash(newRoot) || !isHashList(proof) || !isSize(oldSize) || !isSize(newSize)) {
      return false;
    }
    if (oldSize < 1 || oldSize > newSize) return false;
    if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
    if (proof.length === 0) return false;
    const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
    let fn = oldSize - 1;
    let sn = newSize - 1;
    while (fn % 2 === 1) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    let fr = path[0] as Uint8Array;
    let sr = fr;
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        [fr, sr] = await Promise.all([merkleNodeHash(c, fr), merkleNodeHash(c, sr)]);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        sr = await merkleNodeHash(sr, c);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
  } catch {
    return false;
  }
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
