import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './db-schema';
import type { Keyring } from './secrets';

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
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await db
    .insertInto('server_settings')
    .values({ key: SETTING_KEY, value: keyring.encrypt(pem) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('server_settings')
    .select('value')
    .where('key', '=', SETTING_KEY)
    .executeTakeFirstOrThrow();
  const stored = createPrivateKey(keyring.decrypt(row.value));
  const jwk = createPublicKey(stored).export({ format: 'jwk' });
  if (!jwk.x) throw new Error('order signing key has no public part');
  return { privateKeyPkcs8: new Uint8Array(stored.export({ format: 'der', type: 'pkcs8' })), publicKeyRaw: jwk.x };
}
