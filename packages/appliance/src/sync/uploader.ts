import { EvidenceUploadResponse } from '@osiris/protocol';
import type { Store } from '../store';
import { CentralError, type FetchImpl, postJson } from './central-client';

export interface UploadOutcome {
  /** Bundles central newly stored plus those it already had. */
  sent: number;
  acceptedThroughSeq: number | null;
}

/**
 * Sends the oldest unacknowledged bundles, in chain order, in one batch; drops what central
 * acknowledges. Idempotent: a batch resent after a crash or a lost reply counts as duplicates.
 * Throws CentralError (NETWORK for outages; REJECTED with the status for refusals).
 */
export async function uploadBatch(
  store: Store,
  batchSize: number,
  fetchImpl: FetchImpl = fetch,
): Promise<UploadOutcome> {
  const registration = store.registration.get();
  if (!registration) throw new CentralError('NOT_REGISTERED', 'This appliance is not registered yet');
  const bundles = store.evidence.pending(batchSize);
  if (bundles.length === 0) return { sent: 0, acceptedThroughSeq: null };
  let response: EvidenceUploadResponse;
  try {
    response = await postJson(
      fetchImpl,
      `${registration.centralUrl}/v1/appliance/evidence`,
      { schemaVersion: 1, bundles },
      EvidenceUploadResponse,
      {
        token: registration.token,
        describeStatus: (status, details) =>
          status === 401
            ? new CentralError('UNAUTHENTICATED', `Central refused this appliance's token: ${details}`, status)
            : null,
      },
    );
  } catch (error) {
    // A refusal part-way (gap, broken link) still tells how far central got: keep that progress.
    const through = (error as CentralError).envelope?.details as { acceptedThroughSeq?: unknown } | undefined;
    if (typeof through?.acceptedThroughSeq === 'number') store.evidence.acknowledge(through.acceptedThroughSeq);
    throw error;
  }
  store.evidence.acknowledge(response.acceptedThroughSeq);
  return { sent: bundles.length, acceptedThroughSeq: response.acceptedThroughSeq };
}
