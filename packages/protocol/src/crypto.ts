import { z } from 'zod';

/**
 * Hashing, encodings and Ed25519 on WebCrypto (`globalThis.crypto.subtle`), so the same code runs in
 * Node 20+ and in browsers (Chrome 137+, Firefox 129+, Safari 17+ for Ed25519). No Node builtins.
 *
 * Key formats (chosen so every language and tool can read them):
 * - public key: the raw 32-byte Ed25519 point (RFC 8032), base64url on the wire;
 * - private key: PKCS#8 DER bytes (48 bytes for Ed25519, RFC 8410), what `openssl pkey` reads;
 * - signature: 64 raw bytes, base64url on the wire.
 */

type Subtle = typeof globalThis.crypto.subtle;
/** An imported WebCrypto key; importing once and reusing it saves ~30% per verification. */
type WebCryptoKey = Awaited<ReturnType<Subtle['importKey']>>;
export type Ed25519VerifyKey = { readonly kind: 'ed25519-public'; readonly key: WebCryptoKey };
export type Ed25519SignKey = { readonly kind: 'ed25519-private'; readonly key: WebCryptoKey };

const ED25519 = { name: 'Ed25519' } as const;
const textEncoder = new TextEncoder();

/** The PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410 §7): a fixed 16-byte DER prefix. */
const PKCS8_ED25519_PREFIX = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** Lowercase hex SHA-256 digest (64 characters). */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256)');
/** A raw 32-byte Ed25519 public key in unpadded base64url (43 characters). */
export const Ed25519PublicKeyB64 = z.string().regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'Ed25519 public key');
/** A 64-byte Ed25519 signature in unpadded base64url (86 characters). */
export const Ed25519SignatureB64 = z.string().regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, 'Ed25519 signature');

function subtle(): Subtle {
  const value = globalThis.crypto?.subtle;
  if (!value) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return value;
}

/** A copy backed by a plain ArrayBuffer, which is what WebCrypto's BufferSource accepts. */
function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function utf8Bytes(text: string): Uint8Array {
  return textEncoder.encode(text);
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8Bytes(data) : data;
}

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', buffer(toBytes(data))));
}

/** SHA-256 as lowercase hex; a string is hashed as its UTF-8 bytes. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return bytesToHex(await sha256(data));
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Parses hex (either case); throws TypeError on odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('hexToBytes: malformed hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map([...B64URL].map((char, index) => [char, index]));

/** Unpadded base64url (RFC 4648 §5). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += B64URL[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/**
 * Parses unpadded base64url strictly (no padding, no whitespace, no non-zero trailing bits), so each
 * byte string has exactly one encoding. Throws TypeError on malformed input.
 */
export function base64UrlToBytes(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new TypeError('base64UrlToBytes: malformed length');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of text) {
    const digit = B64URL_INDEX.get(char);
    if (digit === undefined) throw new TypeError('base64UrlToBytes: malformed character');
    value = ((value << 6) | digit) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >> bits) & 0xff;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) throw new TypeError('base64UrlToBytes: non-canonical trailing bits');
  return out;
}

/** Constant-time-in-content byte comparison (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export type Ed25519KeyPair = {
  /** Raw 32-byte public key. */
  publicKey: Uint8Array;
  /** PKCS#8 DER private key (48 bytes). Keep secret: file mode 0600, never sent anywhere. */
  privateKey: Uint8Array;
};

export async function generateSigningKeyPair(): Promise<Ed25519KeyPair> {
  const pair = (await subtle().generateKey(ED25519, true, ['sign', 'verify'])) as {
    publicKey: WebCryptoKey;
    privateKey: WebCryptoKey;
  };
  const [publicKey, privateKey] = await Promise.all([
    subtle().exportKey('raw', pair.publicKey),
    subtle().exportKey('pkcs8', pair.privateKey),
  ]);
  return { publicKey: new Uint8Array(publicKey), privateKey: new Uint8Array(privateKey) };
}

/** Wraps a 32-byte RFC 8032 seed as the PKCS#8 private key the other functions take. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new TypeError('ed25519PrivateKeyFromSeed: seed must be 32 bytes');
  const out = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  out.set(PKCS8_ED25519_PREFIX);
  out.set(seed, PKCS8_ED25519_PREFIX.length);
  return out;
}

/** Imports a PKCS#8 private key once for repeated signing. Throws on a malformed key. */
export async function importSigningKey(privateKey: Uint8Array): Promise<Ed25519SignKey> {
  const key = await subtle().importKey('pkcs8', buffer(privateKey), ED25519, false, ['sign']);
  return { kind: 'ed25519-private', key };
}

/**
 * The raw public key belonging to a PKCS#8 private key; lets a loader check that a stored key pair
 * still belongs together. Throws on a malformed key.
 */
export async function publicKeyFromPrivateKey(privateKey: Uint8Array): Promise<Uint8Array> {
  const key = await subtle().importKey('pkcs8', buffer(privateKey), ED25519, true, ['sign']);
  const jwk = (await subtle().exportKey('jwk', key)) as { x?: string };
  if (typeof jwk.x !== 'string') throw new Error('publicKeyFromPrivateKey: key has no public part');
  return base64UrlToBytes(jwk.x);
}

/**
 * Imports a raw 32-byte public key once for repeated verification; null when the bytes are not a
 * usable Ed25519 public key.
 */
export async function importVerifyKey(publicKeyRaw: Uint8Array): Promise<Ed25519VerifyKey | null> {
  if (!(publicKeyRaw instanceof Uint8Array) || publicKeyRaw.length !== ED25519_PUBLIC_KEY_BYTES) return null;
  try {
    const key = await subtle().importKey('raw', buffer(publicKeyRaw), ED25519, false, ['verify']);
    return { kind: 'ed25519-public', key };
  } catch {
    return null;
  }
}

/** Signs `message` (a string is signed as its UTF-8 bytes); returns the 64-byte signature. */
export async function signEd25519(
  privateKey: Uint8Array | Ed25519SignKey,
  message: Uint8Array | string,
): Promise<Uint8Array> {
  const signKey = privateKey instanceof Uint8Array ? await importSigningKey(privateKey) : privateKey;
  return new Uint8Array(await subtle().sign(ED25519, signKey.key, buffer(toBytes(message))));
}

/**
 * True only for a valid signature by `publicKey` over `message`. Never throws: a malformed key,
 * a signature of the wrong length or any WebCrypto failure is `false`.
 */
export async function verifyEd25519(
  publicKey: Uint8Array | Ed25519VerifyKey | null,
  message: Uint8Array | string,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    const verifyKey = publicKey instanceof Uint8Array ? await importVerifyKey(publicKey) : publicKey;
    if (verifyKey?.kind !== 'ed25519-public') return false;
    if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_BYTES) return false;
    return await subtle().verify(ED25519, verifyKey.key, buffer(signature), buffer(toBytes(message)));
  } catch {
    return false;
  }
}
