import { describe, expect, it } from 'vitest';
import {
  base64UrlToBytes,
  bytesEqual,
  bytesToBase64Url,
  bytesToHex,
  Ed25519PublicKeyB64,
  Ed25519SignatureB64,
  ed25519PrivateKeyFromSeed,
  generateSigningKeyPair,
  hexToBytes,
  importSigningKey,
  importVerifyKey,
  publicKeyFromPrivateKey,
  Sha256Hex,
  sha256Hex,
  signEd25519,
  utf8Bytes,
  verifyEd25519,
} from './crypto';

// RFC 8032 §7.1, TEST 1 and TEST 2.
const RFC8032 = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 digests and hashes strings as UTF-8', async () => {
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(utf8Bytes('abc'))).toBe(await sha256Hex('abc'));
    expect(await sha256Hex('é')).toBe(await sha256Hex(new Uint8Array([0xc3, 0xa9])));
    expect(Sha256Hex.safeParse(await sha256Hex('x')).success).toBe(true);
  });
});

describe('hex and base64url', () => {
  it('round-trips every length from 0 to 70 bytes', () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      expect(hexToBytes(bytesToHex(bytes))).toEqual(bytes);
      const b64 = bytesToBase64Url(bytes);
      expect(b64).not.toMatch(/[=+/]/);
      expect(base64UrlToBytes(b64)).toEqual(bytes);
    }
  });

  it('encodes as RFC 4648 section 10 does (url alphabet, no padding)', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      expect(bytesToBase64Url(utf8Bytes(plain))).toBe(encoded);
      expect(base64UrlToBytes(encoded)).toEqual(utf8Bytes(plain));
    }
    expect(bytesToBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('refuses malformed or non-canonical encodings', () => {
    expect(() => hexToBytes('abc')).toThrow(TypeError);
    expect(() => hexToBytes('zz')).toThrow(TypeError);
    expect(() => base64UrlToBytes('Zm9v=')).toThrow(TypeError);
    expect(() => base64UrlToBytes('Zm+v')).toThrow(TypeError);
    expect(() => base64UrlToBytes('Z')).toThrow(TypeError);
    expect(() => base64UrlToBytes('Zh')).toThrow(/trailing bits/);
  });

  it('compares bytes by content and length', () => {
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
  });
});

describe('Ed25519', () => {
  it('reproduces the RFC 8032 test vectors', async () => {
    for (const vector of RFC8032) {
      const privateKey = ed25519PrivateKeyFromSeed(hexToBytes(vector.seed));
      expect(bytesToHex(await publicKeyFromPrivateKey(privateKey))).toBe(vector.publicKey);
      const signature = await signEd25519(privateKey, hexToBytes(vector.message));
      expect(bytesToHex(signature)).toBe(vector.signature);
      expect(await verifyEd25519(hexToBytes(vector.publicKey), hexToBytes(vector.message), signature)).toBe(true);
    }
  });

  it('generates a raw 32-byte public key and a PKCS#8 private key that belong together', async () => {
    const pair = await generateSigningKeyPair();
    expect(pair.publicKey).toHaveLength(32);
    expect(pair.privateKey).toHaveLength(48);
    expect(await publicKeyFromPrivateKey(pair.privateKey)).toEqual(pair.publicKey);
    expect(Ed25519PublicKeyB64.safeParse(bytesToBase64Url(pair.publicKey)).success).toBe(true);
    const signature = await signEd25519(pair.privateKey, 'hello');
    expect(signature).toHaveLength(64);
    expect(Ed25519SignatureB64.safeParse(bytesToBase64Url(signature)).success).toBe(true);
    expect(await verifyEd25519(pair.publicKey, 'hello', signature)).toBe(true);
  });

  it('verifies with keys imported once and reused', async () => {
    const pair = await generateSigningKeyPair();
    const signKey = await importSigningKey(pair.privateKey);
    const verifyKey = await importVerifyKey(pair.publicKey);
    for (const message of ['a', 'b', 'c']) {
      expect(await verifyEd25519(verifyKey, message, await signEd25519(signKey, message))).toBe(true);
    }
  });

  it('rejects a signature by another key, over another message, or with any flipped bit', async () => {
    const pair = await generateSigningKeyPair();
    const other = await generateSigningKeyPair();
    const signature = await signEd25519(pair.privateKey, 'order');
    expect(await verifyEd25519(other.publicKey, 'order', signature)).toBe(false);
    expect(await verifyEd25519(pair.publicKey, 'orders', signature)).toBe(false);
    for (let bit = 0; bit < 512; bit += 7) {
      const tampered = new Uint8Array(signature);
      tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(await verifyEd25519(pair.publicKey, 'order', tampered)).toBe(false);
    }
  });

  it('returns false instead of throwing on malformed keys and signatures', async () => {
    const pair = await generateSigningKeyPair();
    const signature = await signEd25519(pair.privateKey, 'm');
    expect(await verifyEd25519(pair.publicKey.subarray(0, 31), 'm', signature)).toBe(false);
    expect(await verifyEd25519(new Uint8Array(33), 'm', signature)).toBe(false);
    expect(await verifyEd25519(new Uint8Array(32), 'm', signature)).toBe(false);
    expect(await verifyEd25519(new Uint8Array(32).fill(0xff), 'm', signature)).toBe(false);
    expect(await verifyEd25519(null, 'm', signature)).toBe(false);
    expect(await verifyEd25519(pair.publicKey, 'm', signature.subarray(0, 63))).toBe(false);
    expect(await verifyEd25519(pair.publicKey, 'm', new Uint8Array(64))).toBe(false);
    expect(await verifyEd25519(pair.publicKey, 'm', 'not bytes' as unknown as Uint8Array)).toBe(false);
    expect(await importVerifyKey(new Uint8Array(5))).toBeNull();
  });

  it('refuses to sign with a malformed private key', async () => {
    await expect(signEd25519(new Uint8Array(48), 'm')).rejects.toThrow();
    expect(() => ed25519PrivateKeyFromSeed(new Uint8Array(31))).toThrow(TypeError);
  });
});
