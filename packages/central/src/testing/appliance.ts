import { expect } from 'vitest';
import type { SignedOrder } from '@osiris/protocol';
import { checkinRequest, createChainWriter, newApplianceIdentity, registrationRequest } from './appliance-wire';
import type { Caller, TestApp } from './test-app';

/** A stand-in appliance speaking the real wire protocol: identity key, token, its own chain. */
export async function registerTestAppliance(t: TestApp, admin: Caller, siteId: string) {
  const identity = newApplianceIdentity();
  const { code } = (
    await admin.request({ method: 'POST', url: `/v1/sites/${siteId}/provision-codes`, payload: {} })
  ).json();
  const res = await t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/register',
    payload: registrationRequest(identity, code, { hostname: 'appl', signedAt: t.clock.now().toISOString() }),
  });
  expect(res.statusCode, res.body).toBe(201);
  const { applianceId, token, orderSigningPublicKey } = res.json() as {
    applianceId: string;
    token: string;
    orderSigningPublicKey: string;
  };
  return {
    applianceId,
    token,
    orderSigningPublicKey,
    pkcs8: identity.pkcs8,
    /** The next bundles of this appliance's chain. */
    next: createChainWriter(applianceId, identity.pkcs8),
    upload(bundles: unknown[], as = token) {
      return t.anonymous.request({
        method: 'POST',
        url: '/v1/appliance/evidence',
        payload: { schemaVersion: 1, bundles },
        headers: { authorization: `Bearer ${as}` },
      });
    },
  };
}

/** Checks in as the appliance with this token; returns the signed orders of the reply. */
export async function checkinOrders(t: TestApp, token: string): Promise<SignedOrder[]> {
  const res = await t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/checkin',
    payload: checkinRequest({ sentAt: t.clock.now().toISOString() }),
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().orders;
}
