import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './db-schema';

const SETTING_KEY = 'session_secret';

/**
 * The service's own secret: from SESSION_SECRET, else generated once and kept in the database so
 * every replica and every restart agree. Used for keyed token hashes and encryption at rest.
 */
export async function loadServerSecret(db: Kysely<DB>, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return settingOrCreate(db, SETTING_KEY, () => randomBytes(32).toString('base64url'));
}

/**
 * A setting the service makes for itself: the stored value, or `create()` stored first. When
 * replicas race, the first insert wins and everyone reads that one.
 */
export async function settingOrCreate(db: Kysely<DB>, key: string, create: () => string): Promise<string> {
  await db
    .insertInto('server_settings')
    .values({ key, value: create() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('server_settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}

export function createKeyring(secret: string) {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, 'osiriscare', purpose, 32));
  const hashKey = derive('token-hash');
  const encKey = derive('encryption-at-rest');

  return {
    /** HMAC-SHA256 of a bearer token: what we store instead of the token. */
    hashToken(token: string): string {
      return createHmac('sha256', hashKey).update(token).digest('hex');
    },
    /** AES-256-GCM; output is v1.<iv>.<tag>.<ciphertext> in base64url. */
    encrypt(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    decrypt(sealed: string): string {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unrecognised sealed value');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
