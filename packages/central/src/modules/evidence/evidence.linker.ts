import type { EvidenceFailureCode, EvidenceVerifyResult, SignedEvidenceBundle } from '@osiris/protocol';

export type Refusal = { code: EvidenceFailureCode | 'GAP'; seq: number | null; message: string };
type ChainPoint = { seq: number; hash: string };

export function readSeq(item: unknown): number | null {
  const seq = (item as { bundle?: { seq?: unknown } } | null)?.bundle?.seq;
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
}

/**
 * Links an upload's bundles (sorted by seq, with their verification results) onto the chain head,
 * a slice at a time, with no I/O. Stops for good at the first bundle that does not fit: a repeat
 * with another hash, a gap, a failed check, a wrong link or another appliance's bundle.
 * `stored` holds the stored hashes of the upload's seqs at or below the head (idempotent retries).
 */
export function createChainLinker(applianceId: string, head: ChainPoint, stored: ReadonlyMap<number, string>) {
  let prev = head;
  let accepted = 0;
  let duplicates = 0;
  let refusal: Refusal | null = null;

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

  return {
    /** The bundles of this slice that fit, in order; none once a refusal has been met. */
    take(items: readonly unknown[], results: readonly (EvidenceVerifyResult | undefined)[]): SignedEvidenceBundle[] {
      const fits: SignedEvidenceBundle[] = [];
      for (const [index, item] of items.entries()) {
        if (refusal) break;
        const outcome = check(item, results[index]);
        if (outcome === 'duplicate') duplicates += 1;
        else if ('code' in outcome) refusal = outcome;
        else {
          fits.push(outcome);
          prev = { seq: outcome.bundle.seq, hash: outcome.hash };
        }
      }
      accepted += fits.length;
      return fits;
    },
    get isStopped(): boolean {
      return refusal !== null;
    },
    summary: () => ({ headSeq: prev.seq, accepted, duplicates, refusal }),
  };
}
