import { EVIDENCE_GENESIS_HASH, type SignedEvidenceBundle } from '@osiris/protocol';
import type { Database } from 'better-sqlite3';

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface LastResult {
  hostId: string;
  checkId: string;
  hostname: string;
  status: string;
  reason: string;
  seq: number;
  finishedAt: string;
}

/** Thrown when the head moved between building a bundle and storing it (a bug: one writer only). */
class ChainMovedError extends Error {
  constructor(expected: ChainHead, actual: ChainHead) {
    super(`evidence chain head moved from ${expected.seq} to ${actual.seq} while a bundle was being signed`);
    this.name = 'ChainMovedError';
  }
}

/**
 * The appliance's hash chain and its outbox. A bundle, the new chain head and the host's last
 * result are written in one transaction: after a crash the chain either has the bundle or not.
 */
export function createEvidenceStore(db: Database) {
  const selectHead = db.prepare('SELECT seq, hash FROM evidence_chain_head WHERE id = 1');
  const upsertHead = db.prepare(`
    INSERT INTO evidence_chain_head (id, seq, hash) VALUES (1, ?, ?)
    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`);
  const insertOutbox = db.prepare('INSERT INTO evidence_outbox (seq, hash, signed, created_at) VALUES (?, ?, ?, ?)');
  const upsertResult = db.prepare(`
    INSERT INTO last_results (host_id, check_id, hostname, status, reason, seq, finished_at)
    VALUES (@hostId, @checkId, @hostname, @status, @reason, @seq, @finishedAt)
    ON CONFLICT (host_id, check_id) DO UPDATE SET hostname = excluded.hostname, status = excluded.status,
      reason = excluded.reason, seq = excluded.seq, finished_at = excluded.finished_at`);
  const selectPending = db.prepare('SELECT signed FROM evidence_outbox ORDER BY seq LIMIT ?');
  const deleteAcked = db.prepare('DELETE FROM evidence_outbox WHERE seq <= ?');
  const countPending = db.prepare('SELECT COUNT(*) AS n, MIN(seq) AS first FROM evidence_outbox');
  const selectResults = db.prepare('SELECT * FROM last_results ORDER BY hostname, check_id');

  const head = (): ChainHead => (selectHead.get() as ChainHead | undefined) ?? { seq: 0, hash: EVIDENCE_GENESIS_HASH };

  const append = db.transaction((signed: SignedEvidenceBundle, reason: string, expected: ChainHead) => {
    const current = head();
    if (current.seq !== expected.seq || current.hash !== expected.hash) throw new ChainMovedError(expected, current);
    const { bundle } = signed;
    insertOutbox.run(bundle.seq, signed.hash, JSON.stringify(signed), new Date().toISOString());
    upsertHead.run(bundle.seq, signed.hash);
    if (bundle.kind === 'healing') return; // an attempt's record, not the host's current result
    upsertResult.run({
      hostId: bundle.hostId,
      checkId: bundle.checkId,
      hostname: bundle.hostname,
      status: bundle.status,
      reason,
      seq: bundle.seq,
      finishedAt: bundle.finishedAt,
    });
  });

  return {
    head,
    /** Stores a signed bundle that extends `expected` (the head it was built on). */
    append(signed: SignedEvidenceBundle, reason: string, expected: ChainHead): void {
      append(signed, reason, expected);
    },
    /** The oldest unacknowledged bundles, in chain order. */
    pending(limit: number): SignedEvidenceBundle[] {
      return (selectPending.all(limit) as { signed: string }[]).map((row) => JSON.parse(row.signed));
    },
    /** Central holds everything through `seq`: drop it from the outbox. Returns rows removed. */
    acknowledge(seq: number): number {
      return deleteAcked.run(seq).changes;
    },
    depth(): { count: number; firstSeq: number | null } {
      const row = countPending.get() as { n: number; first: number | null };
      return { count: row.n, firstSeq: row.first };
    },
    lastResults(): LastResult[] {
      return (selectResults.all() as Record<string, string | number>[]).map((r) => ({
        hostId: String(r.host_id),
        checkId: String(r.check_id),
        hostname: String(r.hostname),
        status: String(r.status),
        reason: String(r.reason),
        seq: Number(r.seq),
        finishedAt: String(r.finished_at),
      }));
    },
  };
}
