import { hostname as machineHostname } from 'node:os';
import {
  type ApplianceCheckinRequest,
  ApplianceCheckinResponse,
  type ApplianceRegisterRequest,
  ApplianceRegisterResponse,
  bytesToBase64Url,
  canonicalJson,
  PROVISION_CODE_PATTERN,
  REGISTRATION_PURPOSE,
  type RegistrationProof,
} from '@osiris/protocol';
import type { ApplianceConfig } from '../config';
import type { IdentityKey } from '../identity/identity-key';
import type { Registration, Store } from '../store';
import { APPLIANCE_VERSION } from '../version';
import { CentralError, type FetchImpl, postJson } from './central-client';

/**
 * Registers this appliance with central using the provision code in `config`: proves possession of the
 * identity key, then stores the appliance id, site, token and central's order-signing key.
 */
export async function register(
  config: ApplianceConfig,
  store: Store,
  key: IdentityKey,
  fetchImpl: FetchImpl = fetch,
): Promise<Registration> {
  const existing = store.registration.get();
  if (existing)
    throw new CentralError(
      'CONFLICT',
      `This appliance is already registered (appliance ${existing.applianceId}, site ${existing.siteId}); ` +
        'registering again needs a new data directory.',
    );
  const code = config.provisionCode?.trim().toUpperCase();
  if (!code) throw new CentralError('BAD_CODE', 'No provision code: pass --code or set provisionCode in the config');
  if (!PROVISION_CODE_PATTERN.test(code))
    throw new CentralError('BAD_CODE', 'The provision code is malformed: it looks like XXXX-XXXX-XXXX-XXXX');

  const hostname = config.hostname ?? machineHostname();
  const signedAt = new Date().toISOString();
  const proof: RegistrationProof = {
    purpose: REGISTRATION_PURPOSE,
    code,
    publicKey: key.publicKey,
    hostname,
    signedAt,
  };
  const request: ApplianceRegisterRequest = {
    schemaVersion: 1,
    code,
    publicKey: key.publicKey,
    hostname,
    version: APPLIANCE_VERSION,
    signedAt,
    signature: bytesToBase64Url(await key.sign(canonicalJson(proof))),
  };
  const url = `${config.centralUrl}/v1/appliance/register`;
  const response = await postJson(fetchImpl, url, request, ApplianceRegisterResponse, {
    describeStatus: (status, details) => {
      if (status === 404)
        return new CentralError(
          'BAD_CODE',
          `Central refused the provision code: it is invalid, already used, revoked or expired. Ask for a new code. [${details}]`,
          status,
        );
      if (status === 401)
        return new CentralError(
          'UNAUTHENTICATED',
          `Central did not accept this appliance's proof of its identity key: ${details}`,
          status,
        );
      if (status === 409)
        return new CentralError('CONFLICT', `Central already knows this identity key: ${details}`, status);
      return null;
    },
  });
  const registration: Registration = {
    applianceId: response.applianceId,
    siteId: response.siteId,
    token: response.token,
    orderSigningPublicKey: response.orderSigningPublicKey,
    centralUrl: config.centralUrl,
    registeredAt: new Date().toISOString(),
  };
  store.registration.save(registration);
  return registration;
}

/** Health the appliance reports at check-in; the envelope fields are filled in here. */
export type CheckinHealth = Omit<ApplianceCheckinRequest, 'schemaVersion' | 'version' | 'sentAt'>;

/** One check-in with central using the stored token; returns central's reply (server time, orders). */
export async function checkin(
  store: Store,
  health: CheckinHealth,
  fetchImpl: FetchImpl = fetch,
): Promise<ApplianceCheckinResponse> {
  const registration = store.registration.get();
  if (!registration)
    throw new CentralError('NOT_REGISTERED', 'This appliance is not registered yet: run `osiris-appliance register`');
  const request: ApplianceCheckinRequest = {
    schemaVersion: 1,
    version: APPLIANCE_VERSION,
    sentAt: new Date().toISOString(),
    ...health,
  };
  return postJson(fetchImpl, `${registration.centralUrl}/v1/appliance/checkin`, request, ApplianceCheckinResponse, {
    token: registration.token,
    describeStatus: (status, details) =>
      status === 401
        ? new CentralError(
            'UNAUTHENTICATED',
            `Central refused this appliance's token (revoked, or registered elsewhere): ${details}`,
            status,
          )
        : null,
  });
}
