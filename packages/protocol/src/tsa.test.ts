import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './crypto';
import { TSA_FIXTURES } from './fixtures/tsa-tokens';
import { buildTimestampRequest, parseTimestampResponse, verifyTimestampToken } from './tsa';

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
const digestA = hexToBytes('aa'.repeat(32));
const rsa = TSA_FIXTURES.rsa;
const ec = TSA_FIXTURES.ec;
const rsaTrust = { certificates: [fromBase64(rsa.caCert)] };
const ecTrust = { certificates: [fromBase64(ec.caCert)] };

function fixture(kind: { tokens: Record<string, { digest: string; token: string }> }, mode: string) {
  const entry = kind.tokens[mode];
  if (!entry) throw new Error(`no fixture ${mode}`);
  return { token: fromBase64(entry.token), digest: hexToBytes(entry.digest) };
}

/** Index of `needle` in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

describe('buildTimestampRequest', () => {
  it('encodes a SHA-256 TimeStampReq with the nonce and certReq true', () => {
    const der = buildTimestampRequest(digestA, 12345n);
    expect(bytesToHex(der)).toBe(
      ['303d020101', '3031300d06096086480165030402010500', `0420${'aa'.repeat(32)}`, '02023039', '0101ff'].join(''),
    );
  });

  it('omits the nonce when none is given and keeps large nonces positive', () => {
    expect(bytesToHex(buildTimestampRequest(digestA))).toBe(
      ['3039020101', '3031300d06096086480165030402010500', `0420${'aa'.repeat(32)}`, '0101ff'].join(''),
    );
    expect(bytesToHex(buildTimestampRequest(digestA, 0x80n))).toContain('02020080');
  });

  it('refuses a digest that is not 32 bytes and a nonce that is not positive', () => {
    expect(() => buildTimestampRequest(new Uint8Array(20))).toThrow(/32 bytes/);
    expect(() => buildTimestampRequest(digestA, 0n)).toThrow(/positive/);
    expect(() => buildTimestampRequest(digestA, -5n)).toThrow(/positive/);
  });
});

describe('parseTimestampResponse', () => {
  it('reads a rejection with its status text and failure info', () => {
    // status 2, statusString "no", failInfo bits 0 (badAlg) and 15 (unacceptedPolicy)
    const fixed = hexToBytes('3010300e02010230040c026e6f0303008001');
    expect(parseTimestampResponse(fixed)).toEqual({
      status: 'rejection',
      statusText: ['no'],
      failInfo: ['badAlg', 'unacceptedPolicy'],
    });
  });

  it('returns the token of a granted response', () => {
    const { token } = fixture(rsa, 'normal');
    const status = hexToBytes('3003020100');
    const body = new Uint8Array([...status, ...token]);
    const length = body.length;
    const der = new Uint8Array([0x30, 0x82, length >> 8, length & 0xff, ...body]);
    const parsed = parseTimestampResponse(der);
    expect(parsed.status).toBe('granted');
    expect(parsed.token).toEqual(token);
  });

  it('throws on bytes that are not a TimeStampResp', () => {
    expect(() => parseTimestampResponse(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toThrow();
    expect(() => parseTimestampResponse(new TextEncoder().encode('<html>not a tsa</html>'))).toThrow();
    expect(() => parseTimestampResponse(hexToBytes('3005300302010900'))).toThrow();
  });
});

describe('verifyTimestampToken on recorded openssl tokens', () => {
  it('accepts an RSA token: time, serial and TSA name', async () => {
    const { token, digest } = fixture(rsa, 'normal');
    const result = await verifyTimestampToken(token, digest, rsaTrust);
    expect(result).toMatchObject({ ok: true, tsaName: 'CN=osiris TSA, O=OsirisCare Tests', nonce: 4242n });
    if (!result.ok) throw new Error(result.reason);
    expect(result.serial).toMatch(/^\d+$/);
    expect(result.time.getUTCFullYear()).toBe(2026);
  });

  it('accepts an ECDSA P-256 token and an RSA-PSS token', async () => {
    const ecToken = fixture(ec, 'normal');
    expect(await verifyTimestampToken(ecToken.token, ecToken.digest, ecTrust)).toMatchObject({ ok: true });
    const pss = fixture(rsa, 'pss-signature');
    expect(indexOf(pss.token, hexToBytes('06092a864886f70d01010a'))).toBeGreaterThan(0);
    expect(await verifyTimestampToken(pss.token, pss.digest, rsaTrust)).toMatchObject({ ok: true });
  });

  it('accepts a token when the TSA certificate itself is trusted', async () => {
    const { token, digest } = fixture(rsa, 'normal');
    const result = await verifyTimestampToken(token, digest, { certificates: [fromBase64(rsa.tsaCert)] });
    expect(result.ok).toBe(true);
  });

  it('refuses a token for another digest', async () => {
    const { token } = fixture(rsa, 'normal');
    expect(await verifyTimestampToken(token, digestA, rsaTrust)).toEqual({
      ok: false,
      reason: 'the message imprint does not match the expected digest',
    });
  });

  it('refuses a token signed under a CA that is not trusted', async () => {
    const { token, digest } = fixture(rsa, 'normal');
    const result = await verifyTimestampToken(token, digest, ecTrust);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/not trusted/) });
  });

  it('refuses a token whose signer lacks the timeStamping extended key usage', async () => {
    const { token, digest } = fixture(rsa, 'no-eku');
    const result = await verifyTimestampToken(token, digest, rsaTrust);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/id-kp-timeStamping/) });
  });

  it('refuses a token with a changed TSTInfo byte (message-digest attribute)', async () => {
    const { token, digest } = fixture(rsa, 'normal');
    const tampered = new Uint8Array(token);
    const genTime = indexOf(tampered, new TextEncoder().encode('2026'));
    expect(genTime).toBeGreaterThan(0);
    tampered[genTime + 3] = '7'.charCodeAt(0); // 2026 → 2027 inside the signed TSTInfo
    const result = await verifyTimestampToken(tampered, digest, rsaTrust);
    expect(result).toEqual({ ok: false, reason: 'the message-digest signed attribute does not match the TSTInfo' });
  });

  it('refuses a token with a changed signature byte', async () => {
    const { token, digest } = fixture(rsa, 'normal');
    const tampered = new Uint8Array(token);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] as number) ^ 0x01;
    const result = await verifyTimestampToken(tampered, digest, rsaTrust);
    expect(result).toEqual({ ok: false, reason: 'the signature over the signed attributes does not verify' });
  });

  it('refuses truncated or garbage tokens and bad inputs with a reason, never throwing', async () => {
    const { token, digest } = fixture(ec, 'normal');
    const truncated = await verifyTimestampToken(token.subarray(0, 200), digest, ecTrust);
    expect(truncated).toEqual({ ok: false, reason: expect.stringMatching(/^malformed token/) });
    const garbage = await verifyTimestampToken(new Uint8Array([1, 2, 3]), digest, ecTrust);
    expect(garbage.ok).toBe(false);
    expect(await verifyTimestampToken(token, new Uint8Array(20), ecTrust)).toEqual({
      ok: false,
      reason: 'the expected digest must be 32 bytes (SHA-256)',
    });
    expect(await verifyTimestampToken(token, digest, { certificates: [] })).toMatchObject({ ok: false });
  });
});
