import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, sha256 } from './crypto';
import {
  consistencyProof,
  inclusionProof,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// The leaves and roots of the RFC 6962 reference implementation's tests (certificate-transparency
// merkle_tree_test), which every CT log checks against.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const MAX_SIZE = 40;
const leaves = Array.from({ length: MAX_SIZE }, (_, i) => Uint8Array.from({ length: i % 5 }, (_, j) => i * 7 + j));

/** MTH written literally from RFC 6962 §2.1, independent of the implementation under test. */
async function referenceRoot(data: Uint8Array[]): Promise<Uint8Array> {
  if (data.length === 0) return sha256(new Uint8Array(0));
  if (data.length === 1) return sha256(Uint8Array.of(0, ...(data[0] as Uint8Array)));
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  const left = await referenceRoot(data.slice(0, k));
  const right = await referenceRoot(data.slice(k));
  return sha256(Uint8Array.of(1, ...left, ...right));
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at % copy.length] = (copy[at % copy.length] ?? 0) ^ 0x01;
  return copy;
}

describe('merkle hashing', () => {
  it('reproduces the RFC 6962 reference roots for trees of 1 to 8 leaves', async () => {
    const data = CT_LEAVES.map(hexToBytes);
    for (let n = 1; n <= 8; n++) expect(bytesToHex(await merkleRoot(data.slice(0, n)))).toBe(CT_ROOTS[n - 1]);
  });

  it('hashes the empty tree as SHA-256 of the empty string', async () => {
    expect(bytesToHex(await merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('separates leaves from nodes with the 0x00 and 0x01 prefixes', async () => {
    const a = await merkleLeafHash(new Uint8Array([1]));
    const b = await merkleLeafHash(new Uint8Array([2]));
    expect(await merkleNodeHash(a, b)).toEqual(await sha256(Uint8Array.of(1, ...a, ...b)));
    expect(await merkleRoot([new Uint8Array([1]), new Uint8Array([2])])).toEqual(await merkleNodeHash(a, b));
    expect(await merkleRoot([Uint8Array.of(...a, ...b)])).not.toEqual(await merkleNodeHash(a, b));
  });

  it('agrees with a literal RFC 6962 MTH for every size 0 to 40', async () => {
    for (let n = 0; n <= MAX_SIZE; n++) {
      expect(await merkleRoot(leaves.slice(0, n))).toEqual(await referenceRoot(leaves.slice(0, n)));
    }
  });
});

describe('inclusion proofs', () => {
  it('reproduces the RFC 6962 reference audit path for leaf 0 of 8', async () => {
    const proof = await inclusionProof(0, CT_LEAVES.map(hexToBytes));
    expect(proof.map(bytesToHex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  it('verifies every leaf of every tree size 1 to 40, and fails for any flipped byte', async () => {
    // Sizes run concurrently: WebCrypto digests overlap on the thread pool.
    const sizes = Array.from({ length: MAX_SIZE }, (_, i) => i + 1);
    await Promise.all(
      sizes.map(async (n) => {
        const tree = leaves.slice(0, n);
        const root = await merkleRoot(tree);
        for (let index = 0; index < n; index++) {
          const leafHash = await merkleLeafHash(tree[index] as Uint8Array);
          const proof = await inclusionProof(index, tree);
          expect(await verifyInclusion(leafHash, index, n, proof, root)).toBe(true);
          expect(await verifyInclusion(flipped(leafHash, index), index, n, proof, root)).toBe(false);
          expect(await verifyInclusion(leafHash, index, n, proof, flipped(root, index + n))).toBe(false);
          for (let p = 0; p < proof.length; p++) {
            const bad = proof.map((hash, i) => (i === p ? flipped(hash, index + p) : hash));
            expect(await verifyInclusion(leafHash, index, n, bad, root)).toBe(false);
          }
        }
      }),
    );
  });

  // A proof does not bind the tree size on its own (index 0 of 3 and of 4 share a path shape); the
  // signed tree head does. So only sizes that cannot hold the index are checked here.
  it('fails for a wrong index, a size that cannot hold the index, or a truncated or extended path', async () => {
    for (let n = 2; n <= 20; n++) {
      const tree = leaves.slice(0, n);
      const root = await merkleRoot(tree);
      for (let index = 0; index < n; index++) {
        const leafHash = await merkleLeafHash(tree[index] as Uint8Array);
        const proof = await inclusionProof(index, tree);
        expect(await verifyInclusion(leafHash, (index + 1) % n, n, proof, root)).toBe(false);
        expect(await verifyInclusion(leafHash, index, index, proof, root)).toBe(false);
        expect(await verifyInclusion(leafHash, index, n, proof.slice(1), root)).toBe(false);
        expect(await verifyInclusion(leafHash, index, n, [...proof, root], root)).toBe(false);
        expect(await verifyInclusion(leafHash, n, n, proof, root)).toBe(false);
      }
    }
  });

  it('returns false for malformed input instead of throwing', async () => {
    const root = await merkleRoot(leaves.slice(0, 3));
    const leafHash = await merkleLeafHash(leaves[0] as Uint8Array);
    const proof = await inclusionProof(0, leaves.slice(0, 3));
    expect(await verifyInclusion(leafHash.subarray(1), 0, 3, proof, root)).toBe(false);
    expect(await verifyInclusion(leafHash, -1, 3, proof, root)).toBe(false);
    expect(await verifyInclusion(leafHash, 0.5, 3, proof, root)).toBe(false);
    expect(await verifyInclusion(leafHash, 0, 3, [new Uint8Array(3)], root)).toBe(false);
    expect(await verifyInclusion(leafHash, 0, 3, null as unknown as Uint8Array[], root)).toBe(false);
    await expect(inclusionProof(3, leaves.slice(0, 3))).rejects.toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  it('reproduces the RFC 6962 reference consistency proofs in the 8-leaf tree', async () => {
    const data = CT_LEAVES.map(hexToBytes);
    expect((await consistencyProof(1, data)).map(bytesToHex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect((await consistencyProof(4, data)).map(bytesToHex)).toEqual([
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(await consistencyProof(8, data)).toEqual([]);
  });

  it('verifies every old size m <= n for every n in 1 to 40, and fails for any flipped byte', async () => {
    const roots = await Promise.all(Array.from({ length: MAX_SIZE + 1 }, (_, n) => merkleRoot(leaves.slice(0, n))));
    // Sizes run concurrently: WebCrypto digests overlap on the thread pool.
    const sizes = Array.from({ length: MAX_SIZE }, (_, i) => i + 1);
    await Promise.all(
      sizes.map(async (n) => {
        const tree = leaves.slice(0, n);
        const newRoot = roots[n] as Uint8Array;
        for (let m = 1; m <= n; m++) {
          const oldRoot = roots[m] as Uint8Array;
          const proof = await consistencyProof(m, tree);
          expect(await verifyConsistency(m, n, oldRoot, newRoot, proof)).toBe(true);
          expect(await verifyConsistency(m, n, flipped(oldRoot, m), newRoot, proof)).toBe(false);
          expect(await verifyConsistency(m, n, oldRoot, flipped(newRoot, n), proof)).toBe(false);
          for (let p = 0; p < proof.length; p++) {
            const bad = proof.map((hash, i) => (i === p ? flipped(hash, m + p) : hash));
            expect(await verifyConsistency(m, n, oldRoot, newRoot, bad)).toBe(false);
          }
        }
      }),
    );
  });

  it('fails for a shrinking size, a truncated or empty proof, or a rewritten history', async () => {
    const roots = await Promise.all(Array.from({ length: 21 }, (_, n) => merkleRoot(leaves.slice(0, n))));
    for (let n = 2; n <= 20; n++) {
      for (let m = 1; m < n; m++) {
        const proof = await consistencyProof(m, leaves.slice(0, n));
        const oldRoot = roots[m] as Uint8Array;
        const newRoot = roots[n] as Uint8Array;
        expect(await verifyConsistency(m, n, oldRoot, newRoot, [])).toBe(false);
        expect(await verifyConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
        expect(await verifyConsistency(m, m - 1, oldRoot, newRoot, proof)).toBe(false);
        expect(await verifyConsistency(n, m, newRoot, oldRoot, proof)).toBe(false);
      }
      // A tree whose first leaf was rewritten is not an extension of the original.
      const rewritten = [new Uint8Array([0xee]), ...leaves.slice(1, n)];
      const proof = await consistencyProof(1, rewritten);
      expect(await verifyConsistency(1, n, roots[1] as Uint8Array, await merkleRoot(rewritten), proof)).toBe(false);
    }
  });

  it('treats equal sizes as consistent only with an empty proof and equal roots', async () => {
    const root = await merkleRoot(leaves.slice(0, 5));
    expect(await verifyConsistency(5, 5, root, root, [])).toBe(true);
    expect(await verifyConsistency(5, 5, root, flipped(root, 0), [])).toBe(false);
    expect(await verifyConsistency(5, 5, root, root, [root])).toBe(false);
    expect(await verifyConsistency(0, 5, root, root, [root])).toBe(false);
    await expect(consistencyProof(0, leaves.slice(0, 5))).rejects.toThrow(RangeError);
  });
});
