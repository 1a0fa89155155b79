import { createHash, createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import {
  base64UrlToBytes,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  type EvidenceVerifier,
} from '@osiris/protocol';

/** One-shot `crypto.hash` (Node 20.12+) is cheaper than a Hash object per bundle. */
const sha256Hex: (text: string) => string =
  typeof hash === 'function'
    ? (text) => hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Enough for every appliance of a large deployment; past it the cache starts over. */
const KEY_CACHE_MAX = 10_000;

/**
 * Evidence hashing and Ed25519 on node:crypto, which checks exactly what protocol's WebCrypto
 * default checks, only cheaper: SHA-256 runs synchronously (a WebCrypto digest is a thread-pool
 * round trip per bundle) and the key is parsed once per appliance key, not once per upload.
 * Signature checks still run on libuv's thread pool, so a batch uses every core.
 */
export function createNodeEvidenceCrypto() {
  const keys = new Map<string, KeyObject | null>();

  function keyObject(publicKey: string): KeyObject | null {
    const cached = keys.get(publicKey);
    if (cached !== undefined) return cached;
    let key: KeyObject | null = null;
    try {
      if (base64UrlToBytes(publicKey).length === ED25519_PUBLIC_KEY_BYTES) {
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
      }
    } catch {
      key = null;
    }
    if (keys.size >= KEY_CACHE_MAX) keys.clear();
    keys.set(publicKey, key);
    return key;
  }

  return {
    /** A verifier for the appliance's pinned key (raw 32 bytes, base64url); null when unusable. */
    verifierFor(publicKey: string): EvidenceVerifier | null {
      const key = keyObject(publicKey);
      if (!key) return null;
      return {
        sha256Hex,
        verifySignature: (message, signatureB64Url) => {
          // The schema admits only the canonical base64url of 64 bytes; Buffer decodes it alike.
          const signature = Buffer.from(signatureB64Url, 'base64url');
          if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
          return new Promise<boolean>((resolve) => {
            verify(null, Buffer.from(message, 'utf8'), key, signature, (error, isValid) => resolve(!error && isValid));
          });
        },
      };
    },
  };
}

export type NodeEvidenceCrypto = ReturnType<typeof createNodeEvidenceCrypto>;
