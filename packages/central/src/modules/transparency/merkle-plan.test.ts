import { bytesToHex, consistencyProof, inclusionProof, merkleLeafHash, merkleRoot, sha256 } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import {
  appendNodes,
  consistencyRanges,
  foldRange,
  inclusionRanges,
  nodeKey,
  rangeNodes,
  resolveRanges,
} from './merkle-plan';

const hex = (list: Uint8Array[]) => list.map(bytesToHex);

/** Grows a node map in uneven batches, as ingest does, up to `total` leaves. */
async function grow(total: number) {
  const data = await Promise.all(Array.from({ length: total }, (_, i) => sha256(`bundle-${i}`)));
  const nodes = new Map<string, Uint8Array>();
  let size = 0;
  let batch = 1;
  while (size < total) {
    const take = Math.min(batch, total - size);
    const edge = rangeNodes([0, size]).map((ref) => nodes.get(nodeKey(ref)) as Uint8Array);
    const leafHashes = await Promise.all(data.slice(size, size + take).map((d) => merkleLeafHash(d)));
    for (const node of appendNodes(size, edge, leafHashes)) nodes.set(nodeKey(node), node.hash);
    size += take;
    batch = (batch % 5) + 2;
  }
  return { data, nodes };
}

describe('merkle plan', () => {
  it('decomposes a range into complete aligned subtrees', () => {
    expect(rangeNodes([0, 7])).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes([8, 12])).toEqual([{ level: 2, index: 2 }]);
    expect(() => rangeNodes([1, 3])).toThrow(RangeError);
  });

  it('gives the same roots and proofs as the reference implementation for every size up to 70', async () => {
    const { data, nodes } = await grow(70);
    for (let size = 1; size <= 70; size++) {
      const leaves = data.slice(0, size);
      const edge = rangeNodes([0, size]).map((ref) => nodes.get(nodeKey(ref)) as Uint8Array);
      expect(bytesToHex(await foldRange(edge))).toBe(bytesToHex(await merkleRoot(leaves)));
      for (const index of new Set([0, Math.floor(size / 2), size - 1])) {
        expect(hex(await resolveRanges(inclusionRanges(index, size), nodes))).toEqual(
          hex(await inclusionProof(index, leaves)),
        );
      }
      for (const first of new Set([1, Math.ceil(size / 3), size])) {
        expect(hex(await resolveRanges(consistencyRanges(first, size), nodes))).toEqual(
          hex(await consistencyProof(first, leaves)),
        );
      }
    }
  });

  it('refuses a leaf outside the tree and a missing node', async () => {
    expect(() => inclusionRanges(5, 5)).toThrow(RangeError);
    expect(() => consistencyRanges(6, 5)).toThrow(RangeError);
    await expect(resolveRanges([[0, 2]], new Map())).rejects.toThrow(/missing/);
  });
});
