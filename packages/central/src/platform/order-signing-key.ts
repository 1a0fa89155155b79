import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './db-schema';
import { type Keyring, settingOrCreate } from './secrets';

const SETTING_KEY = 'order_signing_key';

export interface OrderSigningKey {
  /** PKCS#8 DER of the private key, as protocol's signOrder takes it. */
  privateKeyPkcs8: Uint8Array;
  /** Raw 32-byte public key, base64url: what appliances pin at registration. */
  publicKeyRaw: string;
}

/**
 * Central's Ed25519 key for signing orders: generated once, kept in the database encrypted with
 * the server secret, the same for every replica.
 */
export async function loadOrderSigningKey(db: Kysely<DB>, keyring: Keyring): Promise<OrderSigningKey> {
  const sealed = await settingOrCreate(db, SETTING_KEY, () =>
    keyring.encrypt(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  );
  let pem: string;
  try {
    pem = keyring.decrypt(sealed);
  } catch {
    throw new Error(
      'The stored order-signing key cannot be decrypted with the current SESSION_SECRET; start with the secret it was made with (appliances have pinned its public key).',
    );
  }
  const stored = createPrivateKey(pem);
  const jwk = createPublicKey(stored).export({ format: 'jwk' });
  if (!jwk.x) throw new Error('order signing key has no public part');
  return { privateKeyPkcs8: new Uint8Array(stored.export({ format: 'der', type: 'pkcs8' })), publicKeyRaw: jwk.x };
}
