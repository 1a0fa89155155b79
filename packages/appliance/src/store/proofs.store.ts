import type { Database } from 'better-sqlite3';

export interface VerifiedProof {
  seq: number;
  bundleHash: string;
  treeSize: number;
  leafIndex: number;
  /** Audit path, hex, leaf to root. */
  proof: string[];
  rootHash: string;
  /** The signed tree head the proof was checked against, as central sent it (JSON). */
  treeHead: string;
}

/** Verified inclusion proofs of this appliance's bundles (migration 6). */
export function createProofsStore(db: Database) {
  const upsert = db.prepare(`
    INSERT INTO proofs (seq, bundle_hash, tree_size, leaf_index, proof, root_hash, tree_head, verified_at)
    VALUES (@seq, @bundleHash, @treeSize, @leafIndex, @proof, @rootHash, @treeHead, @verifiedAt)
    ON CONFLICT (seq) DO UPDATE SET bundle_hash = excluded.bundle_hash, tree_size = excluded.tree_size,
      leaf_index = excluded.leaf_index, proof = excluded.proof, root_hash = excluded.root_hash,
      tree_head = excluded.tree_head, verified_at = excluded.verified_at`);
  const summary = db.prepare(
    'SELECT count(*) AS count, COALESCE(MAX(seq), 0) AS lastSeq, COALESCE(MAX(tree_size), 0) AS treeSize FROM proofs',
  );
  const bySeq = db.prepare('SELECT * FROM proofs WHERE seq = ?');
  const saveAll = db.transaction((proofs: VerifiedProof[], verifiedAt: string) => {
    for (const p of proofs) upsert.run({ ...p, proof: JSON.stringify(p.proof), verifiedAt });
  });
  return {
    save(proofs: VerifiedProof[]): void {
      saveAll(proofs, new Date().toISOString());
    },
    /** How many bundles have a verified proof, the highest such seq and the largest tree seen. */
    summary(): { count: number; lastSeq: number; treeSize: number } {
      return summary.get() as { count: number; lastSeq: number; treeSize: number };
    },
    get(seq: number): VerifiedProof | null {
      const row = bySeq.get(seq) as
        | {
            seq: number;
            bundle_hash: string;
            tree_size: number;
            leaf_index: number;
            proof: string;
            root_hash: string;
            tree_head: string;
          }
        | undefined;
      if (!row) return null;
      return {
        seq: row.seq,
        bundleHash: row.bundle_hash,
        treeSize: row.tree_size,
        leafIndex: row.leaf_index,
        proof: JSON.parse(row.proof) as string[],
        rootHash: row.root_hash,
        treeHead: row.tree_head,
      };
    },
  };
}
