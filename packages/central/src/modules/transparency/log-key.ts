import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { base64UrlToBytes, type LogKey, logKeyId } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import { type Keyring, settingOrCreate } from '../../platform/secrets';

const SETTING_KEY = 'transparency_log_key';

export interface LogSigningKey {
  /** PKCS#8 DER of the private key, as protocol's signTreeHead takes it. */
  privateKeyPkcs8: Uint8Array;
  /** What verifiers pin: algorithm, key id and raw public key (base64url). */
  published: LogKey;
}

/**
 * The Ed25519 key that signs tree heads: generated once, kept in the database encrypted with the
 * server secret, the same for every replica. Separate from the order key: it signs a public record.
 */
export async function loadLogSigningKey(db: Kysely<DB>, keyring: Keyring): Promise<LogSigningKey> {
  const sealed = await settingOrCreate(db, SETTING_KEY, () =>
    keyring.encrypt(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  );
  let pem: string;
  try {
    pem = keyring.decrypt(sealed);
  } catch {
    throw new Error(
      'The stored transparency log key cannot be decrypted with the current SESSION_SECRET; start with the secret it was made with (verifiers have pinned its public key).',
    );
  }
  const stored = createPrivateKey(pem);
  const jwk = createPublicKey(stored).export({ format: 'jwk' });
  if (!jwk.x) throw new Error('transparency log key has no public part');
  return {
    privateKeyPkcs8: new Uint8Array(stored.export({ format: 'der', type: 'pkcs8' })),
    published: { algorithm: 'ed25519', keyId: await logKeyId(base64UrlToBytes(jwk.x)), publicKey: jwk.x },
  };
}
