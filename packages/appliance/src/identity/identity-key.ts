import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  base64UrlToBytes,
  bytesEqual,
  bytesToBase64Url,
  Ed25519PublicKeyB64,
  generateSigningKeyPair,
  importSigningKey,
  publicKeyFromPrivateKey,
  signEd25519,
} from '@osiris/protocol';
import { z } from 'zod';

export const IDENTITY_KEY_FILE = 'identity-key.json';

/** The file's content. The private key is PKCS#8 DER in base64url; it never leaves this file. */
const IdentityKeyFile = z.strictObject({
  version: z.literal(1),
  algorithm: z.literal('ed25519'),
  publicKey: Ed25519PublicKeyB64,
  privateKey: z.string().regex(/^[A-Za-z0-9_-]+$/),
  createdAt: z.string(),
});

/** Why the identity key cannot be used. The message never contains key material. */
export class IdentityKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityKeyError';
  }
}

/** The appliance's Ed25519 identity: its public key and a signer. The private key is not reachable from here. */
export interface IdentityKey {
  /** Raw public key, unpadded base64url: what central pins at registration. */
  readonly publicKey: string;
  sign(message: Uint8Array | string): Promise<Uint8Array>;
}

async function fromPrivateKey(privateKey: Uint8Array, publicKey: string): Promise<IdentityKey> {
  const signKey = await importSigningKey(privateKey);
  return Object.freeze({
    publicKey,
    sign: (message: Uint8Array | string) => signEd25519(signKey, message),
    toJSON: () => ({ publicKey }),
  });
}

/** Loads the identity key from `dataDir`, refusing a file others can read or a pair that does not match. */
export async function loadIdentityKey(dataDir: string): Promise<IdentityKey> {
  const file = join(dataDir, IDENTITY_KEY_FILE);
  const stats = lstatSync(file);
  if (!stats.isFile())
    throw new IdentityKeyError(`${file} is not a regular file; refusing to use it as the identity key`);
  const mode = stats.mode & 0o777;
  if (mode !== 0o600)
    throw new IdentityKeyError(
      `${file} has mode ${mode.toString(8).padStart(4, '0')}; the identity key must be 0600 (owner read/write only). ` +
        `Fix with: chmod 600 ${file}`,
    );
  let stored: z.infer<typeof IdentityKeyFile>;
  try {
    stored = IdentityKeyFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new IdentityKeyError(`${file} is damaged: it is not a valid identity key file`);
  }
  let privateKey: Uint8Array;
  let derived: Uint8Array;
  try {
    privateKey = base64UrlToBytes(stored.privateKey);
    derived = await publicKeyFromPrivateKey(privateKey);
  } catch {
    throw new IdentityKeyError(`${file} is damaged: its private key cannot be read`);
  }
  if (!bytesEqual(derived, base64UrlToBytes(stored.publicKey)))
    throw new IdentityKeyError(
      `${file} failed its integrity check: the stored public key does not match the private key`,
    );
  return fromPrivateKey(privateKey, stored.publicKey);
}

/** Creates the identity key on first start (mode 0600, never overwriting), then loads and checks it. */
export async function loadOrCreateIdentityKey(dataDir: string): Promise<IdentityKey> {
  const file = join(dataDir, IDENTITY_KEY_FILE);
  let exists = true;
  try {
    lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    exists = false;
  }
  if (!exists) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const pair = await generateSigningKeyPair();
    const content = {
      version: 1,
      algorithm: 'ed25519',
      publicKey: bytesToBase64Url(pair.publicKey),
      privateKey: bytesToBase64Url(pair.privateKey),
      createdAt: new Date().toISOString(),
    };
    // 'wx': never replace a key another process created meanwhile.
    writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return loadIdentityKey(dataDir);
}
