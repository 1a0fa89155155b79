import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { openStore } from '../store';
import { CA_CERT_FILE, CA_KEY_FILE, certificateFingerprint } from './site-ca';

describe('osiris-appliance agents', () => {
  let dir: string;
  let configFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'osiris-agents-cli-'));
    configFile = join(dir, 'appliance.yaml');
    writeFileSync(configFile, 'centralUrl: http://127.0.0.1:9\ndataDir: ./data\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  it('refuses to make tokens before the appliance is registered', async () => {
    const result = await cli('agents', 'token', 'create', '--config', configFile, '--uses', '2', '--expires', '7d');
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/register the appliance first/);
  });

  it('creates, lists and revokes enrollment tokens and prints the CA fingerprint to pin', async () => {
    const store = openStore(join(dir, 'data'));
    store.registration.save({
      applianceId: '11111111-2222-4333-8444-555555555555',
      siteId: '66666666-7777-4888-9999-000000000000',
      token: 'appliance-token',
      orderSigningPublicKey: 'key',
      centralUrl: 'http://127.0.0.1:9',
      registeredAt: new Date().toISOString(),
    });
    store.close();

    expect(
      (await cli('agents', 'token', 'create', '--config', configFile, '--uses', '0', '--expires', '7d')).code,
    ).toBe(2);
    expect(
      (await cli('agents', 'token', 'create', '--config', configFile, '--uses', '2', '--expires', '7y')).code,
    ).toBe(2);
    const created = await cli('agents', 'token', 'create', '--config', configFile, '--uses', '3', '--expires', '7d');
    expect(created.code).toBe(0);
    const [tokenLine, idLine, , fingerprintLine] = created.out;
    expect(tokenLine).toMatch(/^token osiris-enroll-[A-Za-z0-9_-]{43}$/);
    const caPem = readFileSync(join(dir, 'data', CA_CERT_FILE), 'utf8');
    const caDer = new Uint8Array(Buffer.from(caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expect(fingerprintLine).toBe(`CA fingerprint (SHA-256) ${certificateFingerprint(caDer)}`);
    expect(statSync(join(dir, 'data', CA_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data', CA_CERT_FILE)).mode & 0o777).toBe(0o600);

    const tokenId = (idLine ?? '').replace('token id ', '');
    const listed = await cli('agents', 'token', 'list', '--config', configFile);
    expect(listed.out).toHaveLength(1);
    expect(listed.out[0]).toContain(`${tokenId}  uses 0/3`);
    // Only the hash is stored, never the token itself.
    const secret = (tokenLine ?? '').replace('token ', '');
    for (const file of ['appliance.db', 'appliance.db-wal'].map((f) => join(dir, 'data', f)).filter(existsSync))
      expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);

    expect((await cli('agents', 'token', 'revoke', '--config', configFile, '--id', tokenId)).code).toBe(0);
    expect((await cli('agents', 'token', 'list', '--config', configFile)).out[0]).toContain('revoked');
    expect((await cli('agents', 'token', 'revoke', '--config', configFile, '--id', tokenId)).code).toBe(1);
    expect((await cli('agents', 'list', '--config', configFile)).out).toEqual([]);
  });
});
