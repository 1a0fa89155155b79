import type { EvidenceFailureCode, EvidenceVerifyResult, SignedEvidenceBundle } from '@osiris/protocol';

type Refusal = { code: EvidenceFailureCode | 'GAP'; seq: number | null; message: string };
type ChainPoint = { seq: number; hash: string };

export function readSeq(item: unknown): number | null {
  const seq = (item as { bundle?: { seq?: unknown } } | null)?.bundle?.seq;
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
}

export interface LinkOutcome {
  /** The bundles that fit, in chain order. */
  accepted: SignedEvidenceBundle[];
  headSeq: number;
  duplicates: number;
  refusal: Refusal | null;
}

/**
 * Links an upload's bundles (sorted by seq, with their verification results) onto the chain head,
 * with no I/O. Stops at the first bundle that does not fit: a repeat with another hash, a gap, a
 * failed check, a wrong link or another appliance's bundle. `stored` holds the stored hashes of
 * the upload's seqs at or below the head (an identical repeat is an idempotent retry).
 */
export function linkBatch(
  applianceId: string,
  head: ChainPoint,
  stored: ReadonlyMap<number, string>,
  items: readonly unknown[],
  results: readonly (EvidenceVerifyResult | undefined)[],
): LinkOutcome {
  let prev = head;
  let duplicates = 0;
  const accepted: SignedEvidenceBundle[] = [];

  function check(
    item: unknown,
    result: EvidenceVerifyResult | undefined,
  ): SignedEvidenceBundle | 'duplicate' | Refusal {
    const seq = readSeq(item);
    if (seq !== null && seq <= prev.seq) {
      // Already stored: an idempotent retry if the hash is the same, tampering if not.
      if (stored.get(seq) === (item as { hash?: unknown }).hash) return 'duplicate';
      return { code: 'BROKEN_LINK', seq, message: `seq ${seq} is already stored with another hash` };
    }
    if (seq !== null && seq > prev.seq + 1) {
      return { code: 'GAP', seq, message: `expected seq ${prev.seq + 1}, got ${seq}` };
    }
    if (!result?.ok) return { code: result?.code ?? 'MALFORMED', seq, message: result?.message ?? 'unreadable bundle' };
    if (result.bundle.prevHash !== prev.hash) {
      return {
        code: 'BROKEN_LINK',
        seq,
        message: `bundle ${seq} links to ${result.bundle.prevHash}, expected ${prev.hash}`,
      };
    }
    if (result.bundle.applianceId !== applianceId) {
      return { code: 'BROKEN_LINK', seq, message: `bundle ${seq} names another appliance` };
    }
    return { bundle: result.bundle, hash: result.hash, signature: (item as SignedEvidenceBundle).signature };
  }

  for (const [index, item] of items.entries()) {
    const outcome = check(item, results[index]);
    if (outcome === 'duplicate') duplicates += 1;
    else if ('code' in outcome) return { accepted, headSeq: prev.seq, duplicates, refusal: outcome };
    else {
      accepted.push(outcome);
      prev = { seq: outcome.bundle.seq, hash: outcome.hash };
    }
  }
  return { accepted, headSeq: prev.seq, duplicates, refusal: null };
}
