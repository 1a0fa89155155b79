import { generateKeyPairSync } from 'node:crypto';
import {
  EVIDENCE_GENESIS_HASH,
  type EvidenceBundle,
  type SignedEvidenceBundle,
  signBundle,
  verifyBundle,
  verifyBundleWith,
} from '@osiris/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEvidenceCrypto } from './evidence.crypto';

function newKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'jwk' }).x as string,
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
  };
}

const bundle: EvidenceBundle = {
  schemaVersion: 1,
  applianceId: '01890000-0000-7000-8000-00000000b001',
  seq: 1,
  prevHash: EVIDENCE_GENESIS_HASH,
  hostId: '01890000-0000-7000-8000-00000000a001',
  hostname: 'fs01',
  checkId: 'linux.ssh.permit-root-login',
  status: 'pass',
  observed: { permitRootLogin: 'no', ünïcode: ['✓', 1.5, null] },
  evaluatorInputDigest: 'a'.repeat(64),
  startedAt: '2026-11-25T12:00:00.000Z',
  finishedAt: '2026-11-25T12:00:01.000Z',
  clockOffsetMs: 0,
  controls: ['164.312(a)(1)'],
};

describe('node:crypto evidence verifier', () => {
  const keys = newKeys();
  const other = newKeys();
  const crypto = createNodeEvidenceCrypto();
  let good: SignedEvidenceBundle;
  beforeAll(async () => {
    good = await signBundle(bundle, keys.pkcs8);
  });

  it('reaches the same verdict as the WebCrypto default on good, tampered, forged and malformed bundles', async () => {
    const verifier = crypto.verifierFor(keys.publicKey);
    if (!verifier) throw new Error('no verifier');
    const cases: unknown[] = [
      good,
      { ...good, bundle: { ...good.bundle, status: 'fail' } },
      await signBundle(bundle, other.pkcs8),
      { ...good, signature: (await signBundle({ ...bundle, seq: 2, prevHash: good.hash }, keys.pkcs8)).signature },
      // The last base64url character of 64 bytes is one of A, Q, g, w: change it to another one.
      { ...good, signature: `${good.signature.slice(0, 85)}${good.signature.endsWith('A') ? 'Q' : 'A'}` },
      { ...good, hash: 'x' },
      null,
    ];
    const expected = await Promise.all(
      cases.map((c) => verifyBundle(c, new Uint8Array(Buffer.from(keys.publicKey, 'base64url')))),
    );
    const actual = await Promise.all(cases.map((c) => verifyBundleWith(c, verifier)));
    expect(actual).toEqual(expected);
    expect(actual.map((r) => (r.ok ? 'OK' : r.code))).toEqual([
      'OK',
      'BAD_HASH',
      'BAD_SIGNATURE',
      'BAD_SIGNATURE',
      'BAD_SIGNATURE',
      'MALFORMED',
      'MALFORMED',
    ]);
  });

  it('checks against the pinned key only, and refuses an unusable key', async () => {
    const verifier = crypto.verifierFor(other.publicKey);
    expect(await verifyBundleWith(good, verifier ?? fail())).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(crypto.verifierFor('A'.repeat(42))).toBeNull();
    expect(crypto.verifierFor('not base64url!')).toBeNull();
  });

  it('hashes like the protocol does', async () => {
    const verifier = crypto.verifierFor(keys.publicKey) ?? fail();
    expect(await verifyBundleWith(good, verifier)).toMatchObject({ ok: true, hash: good.hash });
  });
});

function fail(): never {
  throw new Error('expected a verifier');
}
