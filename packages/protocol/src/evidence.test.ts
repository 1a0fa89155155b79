import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { type Ed25519KeyPair, generateSigningKeyPair, importSigningKey, importVerifyKey, sha256Hex } from './crypto';
import { ERROR_STATUS } from './errors';
import {
  EVIDENCE_ERROR_CODE,
  EVIDENCE_GENESIS_HASH,
  EvidenceBundle,
  hashBundle,
  type SignedEvidenceBundle,
  signBundle,
  verifyBundle,
  verifyChain,
} from './evidence';

const APPLIANCE_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const HOST_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c';

function makeBundle(seq: number, prevHash: string, overrides: Partial<EvidenceBundle> = {}): EvidenceBundle {
  return {
    schemaVersion: 1,
    applianceId: APPLIANCE_ID,
    seq,
    prevHash,
    hostId: HOST_ID,
    hostname: 'web-01.clinic.local',
    checkId: 'linux.ssh.permit-root-login',
    status: seq % 3 === 0 ? 'fail' : 'pass',
    observed: { permitRootLogin: 'no', ports: [22], nested: { ok: true, note: null } },
    evaluatorInputDigest: 'a'.repeat(64),
    startedAt: '2025-03-01T10:00:00.000Z',
    finishedAt: '2025-03-01T10:00:01.250Z',
    clockOffsetMs: -12,
    controls: ['HIPAA-164.312(a)(1)', 'NIST-AC-6'],
    ...overrides,
  };
}

async function makeChain(keys: Ed25519KeyPair, length: number): Promise<SignedEvidenceBundle[]> {
  const chain: SignedEvidenceBundle[] = [];
  let prevHash = EVIDENCE_GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const signed = await signBundle(makeBundle(seq, prevHash), keys.privateKey);
    chain.push(signed);
    prevHash = signed.hash;
  }
  return chain;
}

/** A deep copy, as a bundle arrives over the wire. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let keys: Ed25519KeyPair;
let otherKeys: Ed25519KeyPair;
beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([generateSigningKeyPair(), generateSigningKeyPair()]);
});

describe('hashBundle and signBundle', () => {
  it('hashes the canonical JSON of the bundle, whatever the key order', async () => {
    const bundle = makeBundle(1, EVIDENCE_GENESIS_HASH);
    const reordered = Object.fromEntries(Object.entries(bundle).reverse()) as EvidenceBundle;
    expect(await hashBundle(bundle)).toBe(await sha256Hex(canonicalJson(bundle)));
    expect(await hashBundle(reordered)).toBe(await hashBundle(bundle));
  });

  it('signs a bundle whose hash excludes the signature', async () => {
    const signed = await signBundle(makeBundle(1, EVIDENCE_GENESIS_HASH), keys.privateKey);
    expect(signed.hash).toBe(await hashBundle(makeBundle(1, EVIDENCE_GENESIS_HASH)));
    expect(signed.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(await verifyBundle(wire(signed), keys.publicKey)).toMatchObject({ ok: true, hash: signed.hash });
  });

  it('refuses to sign an invalid bundle', async () => {
    await expect(signBundle(makeBundle(0, EVIDENCE_GENESIS_HASH), keys.privateKey)).rejects.toThrow();
    await expect(
      signBundle({ ...makeBundle(1, EVIDENCE_GENESIS_HASH), extra: 1 } as EvidenceBundle, keys.privateKey),
    ).rejects.toThrow();
  });
});

describe('EvidenceBundle schema', () => {
  const valid = makeBundle(2, 'b'.repeat(64));
  const rejects = (patch: Record<string, unknown>) => expect(EvidenceBundle.safeParse({ ...valid, ...patch }).success);

  it('accepts a well-formed bundle unchanged', () => {
    expect(EvidenceBundle.parse(valid)).toEqual(valid);
  });

  it('rejects unknown fields, bad ids, bad hashes and unknown statuses', () => {
    rejects({ extra: true }).toBe(false);
    rejects({ schemaVersion: 2 }).toBe(false);
    rejects({ applianceId: 'not-a-uuid' }).toBe(false);
    rejects({ prevHash: 'B'.repeat(64) }).toBe(false);
    rejects({ evaluatorInputDigest: 'a'.repeat(63) }).toBe(false);
    rejects({ status: 'unknown' }).toBe(false);
    rejects({ seq: 1.5 }).toBe(false);
    rejects({ checkId: 'Linux SSH' }).toBe(false);
    rejects({ hostname: ' padded ' }).toBe(false);
    rejects({ clockOffsetMs: 0.5 }).toBe(false);
    rejects({ startedAt: 'yesterday' }).toBe(false);
  });

  it('rejects a run that finishes before it starts', () => {
    rejects({ finishedAt: '2025-03-01T09:59:59.000Z' }).toBe(false);
  });

  it('ties the genesis hash to seq 1 and only seq 1', () => {
    rejects({ seq: 1 }).toBe(false);
    rejects({ prevHash: EVIDENCE_GENESIS_HASH }).toBe(false);
    expect(EvidenceBundle.safeParse(makeBundle(1, EVIDENCE_GENESIS_HASH)).success).toBe(true);
  });

  it('bounds observed output and the control list', () => {
    rejects({ observed: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }).toBe(false);
    rejects({ observed: { output: 'x'.repeat(17_000) } }).toBe(false);
    rejects({ observed: { bad: Number.POSITIVE_INFINITY } }).toBe(false);
    rejects({ controls: Array.from({ length: 65 }, (_, i) => `C-${i}`) }).toBe(false);
    rejects({ controls: [''] }).toBe(false);
  });

  it('marks a healing record with kind healing, and only that', () => {
    rejects({ kind: 'healing' }).toBe(true);
    rejects({ kind: 'check' }).toBe(false);
    rejects({ kind: 'repair' }).toBe(false);
  });

  it('measures observed by its canonical JSON length, exactly at the 16 KiB limit', () => {
    // Unicode, escapes and numbers serialize to the same length either way; only key order differs.
    const sample = { z: 'é\u2028"\n\u0001😀', a: [1e21, 0.1, -0, 5e-7], m: { b: null, a: true } };
    expect(JSON.stringify(sample).length).toBe(canonicalJson(sample).length);
    const padding = (n: number) => ({ output: 'x'.repeat(n - JSON.stringify({ output: '' }).length) });
    rejects({ observed: padding(16_384) }).toBe(true);
    rejects({ observed: padding(16_385) }).toBe(false);
  });
});

describe('verifyBundle', () => {
  it('accepts a bundle linked to the expected previous hash', async () => {
    const [first, second] = await makeChain(keys, 2);
    const result = await verifyBundle(wire(second), keys.publicKey, first?.hash);
    expect(result).toEqual({ ok: true, bundle: second?.bundle, hash: second?.hash });
  });

  it('refuses a bundle whose content was changed after signing', async () => {
    const signed = wire(await signBundle(makeBundle(1, EVIDENCE_GENESIS_HASH), keys.privateKey));
    signed.bundle.status = 'pass';
    signed.bundle.observed = { permitRootLogin: 'yes' };
    expect(await verifyBundle(signed, keys.publicKey)).toMatchObject({ ok: false, code: 'BAD_HASH' });
  });

  it('refuses a bundle re-hashed by someone without the key', async () => {
    const signed = wire(await signBundle(makeBundle(1, EVIDENCE_GENESIS_HASH), keys.privateKey));
    signed.bundle.status = 'fail';
    signed.hash = await hashBundle(signed.bundle);
    expect(await verifyBundle(signed, keys.publicKey)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('refuses a bundle signed by another appliance key', async () => {
    const signed = await signBundle(makeBundle(1, EVIDENCE_GENESIS_HASH), otherKeys.privateKey);
    expect(await verifyBundle(signed, keys.publicKey)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('refuses a bundle that links to the wrong previous hash', async () => {
    const [, second] = await makeChain(keys, 2);
    const result = await verifyBundle(second, keys.publicKey, 'c'.repeat(64));
    expect(result).toMatchObject({ ok: false, code: 'BROKEN_LINK' });
  });

  it('answers malformed input with MALFORMED instead of throwing', async () => {
    const signed = await signBundle(makeBundle(1, EVIDENCE_GENESIS_HASH), keys.privateKey);
    for (const input of [null, 'x', {}, { ...signed, signature: 'short' }, { ...signed, extra: 1 }]) {
      expect(await verifyBundle(input, keys.publicKey)).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
    const result = await verifyBundle({ ...signed, bundle: { ...signed.bundle, seq: -1 } }, keys.publicKey);
    expect(result).toMatchObject({ ok: false, code: 'MALFORMED', message: expect.stringContaining('bundle.seq') });
  });

  it('answers a malformed public key with BAD_SIGNATURE', async () => {
    const signed = await signBundle(makeBundle(1, EVIDENCE_GENESIS_HASH), keys.privateKey);
    expect(await verifyBundle(signed, new Uint8Array(7))).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('maps every refusal to an HTTP-facing error code', () => {
    for (const code of Object.values(EVIDENCE_ERROR_CODE)) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_STATUS[EVIDENCE_ERROR_CODE.BAD_SIGNATURE]).toBe(422);
    expect(ERROR_STATUS[EVIDENCE_ERROR_CODE.BROKEN_LINK]).toBe(409);
    expect(ERROR_STATUS[EVIDENCE_ERROR_CODE.GAP]).toBe(409);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', async () => {
    const chain = await makeChain(keys, 6);
    const result = await verifyChain(wire(chain), keys.publicKey);
    expect(result).toEqual({ ok: true, count: 6, headSeq: 6, headHash: chain[5]?.hash });
  });

  it('continues a chain from a known head, with a pre-imported key', async () => {
    const chain = await makeChain(keys, 5);
    const key = await importVerifyKey(keys.publicKey);
    if (!key) throw new Error('key did not import');
    const from = { seq: 2, hash: chain[1]?.hash ?? '' };
    expect(await verifyChain(chain.slice(2), key, from)).toMatchObject({ ok: true, count: 3, headSeq: 5 });
    expect(await verifyChain([], key, from)).toEqual({ ok: true, count: 0, headSeq: 2, headHash: from.hash });
  });

  it('reports the first tampered bundle by seq', async () => {
    const chain = wire(await makeChain(keys, 6));
    (chain[3] as SignedEvidenceBundle).bundle.status = 'excepted';
    expect(await verifyChain(chain, keys.publicKey)).toMatchObject({ ok: false, index: 3, seq: 4, code: 'BAD_HASH' });
  });

  it('reports a missing bundle as a gap', async () => {
    const chain = await makeChain(keys, 5);
    const result = await verifyChain([...chain.slice(0, 2), ...chain.slice(3)], keys.publicKey);
    expect(result).toMatchObject({ ok: false, index: 2, seq: 4, code: 'GAP' });
  });

  it('reports a replayed bundle as a gap', async () => {
    const chain = await makeChain(keys, 3);
    const result = await verifyChain([...chain, chain[2]], keys.publicKey);
    expect(result).toMatchObject({ ok: false, index: 3, seq: 3, code: 'GAP' });
  });

  it('reports a bundle re-signed into a forked chain as a broken link', async () => {
    const chain = await makeChain(keys, 4);
    const forked = await signBundle(makeBundle(3, 'd'.repeat(64)), keys.privateKey);
    const result = await verifyChain([chain[0], chain[1], forked, chain[3]], keys.publicKey);
    expect(result).toMatchObject({ ok: false, index: 2, seq: 3, code: 'BROKEN_LINK' });
  });

  it('refuses a chain that mixes in another appliance', async () => {
    const [first] = await makeChain(keys, 1);
    const foreign = await signBundle(
      makeBundle(2, first?.hash ?? '', { applianceId: '0190a5b2-7c3d-7e4f-8a1b-000000000000' }),
      keys.privateKey,
    );
    expect(await verifyChain([first, foreign], keys.publicKey)).toMatchObject({ ok: false, index: 1, seq: 2 });
  });

  it('refuses every bundle signed by another key, and reports malformed entries with a null seq', async () => {
    const chain = await makeChain(otherKeys, 2);
    expect(await verifyChain(chain, keys.publicKey)).toMatchObject({ ok: false, index: 0, code: 'BAD_SIGNATURE' });
    expect(await verifyChain(chain, new Uint8Array(3))).toMatchObject({ ok: false, index: 0, code: 'BAD_SIGNATURE' });
    expect(await verifyChain([{ junk: true }], keys.publicKey)).toMatchObject({
      ok: false,
      index: 0,
      seq: null,
      code: 'MALFORMED',
    });
  });

  it('signs with a pre-imported key exactly as with key bytes', async () => {
    const signKey = await importSigningKey(keys.privateKey);
    const bundle = makeBundle(1, EVIDENCE_GENESIS_HASH);
    expect(await signBundle(bundle, signKey)).toEqual(await signBundle(bundle, keys.privateKey));
  });
});
