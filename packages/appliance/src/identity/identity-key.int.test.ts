import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { base64UrlToBytes, bytesToBase64Url, generateSigningKeyPair, verifyEd25519 } from '@osiris/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTITY_KEY_FILE, IdentityKeyError, loadIdentityKey, loadOrCreateIdentityKey } from './identity-key';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osiris-appliance-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const keyFile = (dir: string) => join(dir, IDENTITY_KEY_FILE);
const readStored = (dir: string) => JSON.parse(readFileSync(keyFile(dir), 'utf8')) as Record<string, string>;
const writeStored = (dir: string, content: unknown) => {
  writeFileSync(keyFile(dir), JSON.stringify(content));
  chmodSync(keyFile(dir), 0o600);
};

describe('identity key', () => {
  it('is created at first start with mode 0600 and signs verifiably', async () => {
    const dir = join(tempDir(), 'data');
    const key = await loadOrCreateIdentityKey(dir);
    expect(statSync(keyFile(dir)).mode & 0o777).toBe(0o600);
    const signature = await key.sign('hello');
    expect(await verifyEd25519(base64UrlToBytes(key.publicKey), 'hello', signature)).toBe(true);
  });

  it('is the same key on every later start', async () => {
    const dir = tempDir();
    const first = await loadOrCreateIdentityKey(dir);
    const before = readFileSync(keyFile(dir), 'utf8');
    const second = await loadOrCreateIdentityKey(dir);
    expect(second.publicKey).toBe(first.publicKey);
    expect(readFileSync(keyFile(dir), 'utf8')).toBe(before);
  });

  it('never shows the private key when logged or serialized', async () => {
    const dir = tempDir();
    const key = await loadOrCreateIdentityKey(dir);
    const { privateKey } = readStored(dir);
    expect(JSON.stringify(key)).toBe(JSON.stringify({ publicKey: key.publicKey }));
    expect(inspect(key, { depth: 10, showHidden: true })).not.toContain(privateKey);
  });

  it.each([0o644, 0o640, 0o400, 0o700])('refuses a key file with mode %o', async (mode) => {
    const dir = tempDir();
    await loadOrCreateIdentityKey(dir);
    chmodSync(keyFile(dir), mode);
    await expect(loadOrCreateIdentityKey(dir)).rejects.toThrow(IdentityKeyError);
    await expect(loadIdentityKey(dir)).rejects.toThrow(/must be 0600/);
  });

  it('refuses a symlink in place of the key file', async () => {
    const dir = tempDir();
    const other = tempDir();
    await loadOrCreateIdentityKey(other);
    symlinkSync(keyFile(other), keyFile(dir));
    await expect(loadIdentityKey(dir)).rejects.toThrow(/not a regular file/);
  });

  it('detects a public key swapped for another one', async () => {
    const dir = tempDir();
    await loadOrCreateIdentityKey(dir);
    const stored = readStored(dir);
    const other = await generateSigningKeyPair();
    writeStored(dir, { ...stored, publicKey: bytesToBase64Url(other.publicKey) });
    const error = await loadIdentityKey(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityKeyError);
    expect((error as Error).message).toMatch(/integrity check/);
    expect((error as Error).message).not.toContain(stored.privateKey);
  });

  it('detects a damaged private key or file, without echoing its content', async () => {
    const dir = tempDir();
    await loadOrCreateIdentityKey(dir);
    const stored = readStored(dir);
    const privateKey = stored.privateKey ?? '';
    // Character 40 lies in the 32-byte seed: a different but well-formed private key.
    const flipped = `${privateKey.slice(0, 40)}${privateKey[40] === 'A' ? 'B' : 'A'}${privateKey.slice(41)}`;
    writeStored(dir, { ...stored, privateKey: flipped });
    await expect(loadIdentityKey(dir)).rejects.toThrow(/integrity check/);
    writeStored(dir, { ...stored, privateKey: privateKey.slice(0, 30) });
    await expect(loadIdentityKey(dir)).rejects.toThrow(/cannot be read/);
    writeFileSync(keyFile(dir), 'not json');
    const error = (await loadIdentityKey(dir).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/damaged/);
    expect(error.message).not.toContain('not json');
  });
});
