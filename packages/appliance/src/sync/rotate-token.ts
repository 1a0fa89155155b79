import { bytesToBase64Url, canonicalJson, TOKEN_ROTATION_PURPOSE, TokenRotationResponse } from '@osiris/protocol';
import type { IdentityKey } from '../identity/identity-key';
import type { Store } from '../store';
import { CentralError, type FetchImpl, postJson } from './central-client';

/**
 * Answers a rotate_token order: proves possession of the identity key again and stores the new
 * token central returns. Central keeps the old token valid until the new one is used, so a crash
 * before the new token is saved only means the order is redelivered and rotated again.
 */
export async function rotateToken(store: Store, key: IdentityKey, orderId: string, fetchImpl: FetchImpl = fetch) {
  const registration = store.registration.get();
  if (!registration) throw new CentralError('NOT_REGISTERED', 'This appliance is not registered yet');
  const signedAt = new Date().toISOString();
  const proof = canonicalJson({
    purpose: TOKEN_ROTATION_PURPOSE,
    applianceId: registration.applianceId,
    orderId,
    signedAt,
  });
  const response = await postJson(
    fetchImpl,
    `${registration.centralUrl}/v1/appliance/token`,
    { schemaVersion: 1, orderId, signedAt, signature: bytesToBase64Url(await key.sign(proof)) },
    TokenRotationResponse,
    { token: registration.token, describeStatus: () => null },
  );
  store.registration.save({ ...registration, token: response.token });
}
