import { generateKeyPairSync, sign } from 'node:crypto';
import {
  canonicalJson,
  EVIDENCE_GENESIS_HASH,
  type EvidenceBundle,
  REGISTRATION_PURPOSE,
  type SignedEvidenceBundle,
  signBundle,
} from '@osiris/protocol';
import { expect } from 'vitest';
import type { Caller, TestApp } from './index';

const HOST_ID = '01890000-0000-7000-8000-00000000a001';

/** A stand-in appliance speaking the real wire protocol: identity key, token, its own chain. */
export async function registerTestAppliance(t: TestApp, admin: Caller, siteId: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyB64 = publicKey.export({ format: 'jwk' }).x as string;
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const { code } = (
    await admin.request({ method: 'POST', url: `/v1/sites/${siteId}/provision-codes`, payload: {} })
  ).json();
  const signedAt = t.clock.now().toISOString();
  const proof = canonicalJson({
    purpose: REGISTRATION_PURPOSE,
    code,
    publicKey: publicKeyB64,
    hostname: 'appl',
    signedAt,
  });
  const signature = sign(null, Buffer.from(proof), privateKey).toString('base64url');
  const res = await t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/register',
    payload: {
      schemaVersion: 1,
      code,
      publicKey: publicKeyB64,
      hostname: 'appl',
      version: '0.1.0',
      signedAt,
      signature,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const { applianceId, token, orderSigningPublicKey } = res.json() as {
    applianceId: string;
    token: string;
    orderSigningPublicKey: string;
  };
  let prevHash = EVIDENCE_GENESIS_HASH;
  let seq = 0;
  return {
    applianceId,
    token,
    orderSigningPublicKey,
    pkcs8,
    /** The next bundles of this appliance's chain. */
    async next(count: number, status: EvidenceBundle['status'] = 'pass'): Promise<SignedEvidenceBundle[]> {
      const out: SignedEvidenceBundle[] = [];
      for (let i = 0; i < count; i++) {
        seq += 1;
        const at = new Date(Date.UTC(2026, 10, 25, 12, 0, seq)).toISOString();
        const signed = await signBundle(
          {
            schemaVersion: 1,
            applianceId,
            seq,
            prevHash,
            hostId: HOST_ID,
            hostname: 'fs01',
            checkId: seq % 2 ? 'linux.ssh.permit-root-login' : 'linux.firewall.default-deny',
            status,
            observed: { value: seq },
            evaluatorInputDigest: 'a'.repeat(64),
            startedAt: at,
            finishedAt: at,
            clockOffsetMs: 0,
            controls: ['164.312(a)(1)'],
          },
          pkcs8,
        );
        prevHash = signed.hash;
        out.push(signed);
      }
      return out;
    },
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
