import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { startTestTsaServer, type TestTsaServer } from '../../testing/tsa-server';
import { createTimestamperFromConfig } from './index';

describe('createTimestamperFromConfig', () => {
  let tsa: TestTsaServer;
  let dir: string;
  beforeAll(async () => {
    tsa = await startTestTsaServer();
    dir = await mkdtemp(join(tmpdir(), 'osiris-tsa-config-'));
  });
  afterAll(async () => {
    await tsa.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives no time-stamper when TSA_URL is unset', () => {
    expect(createTimestamperFromConfig(loadConfig({}))).toBeNull();
  });

  it('defaults the timeout to 10 s and refuses a non-http URL', () => {
    expect(loadConfig({}).TSA_TIMEOUT_MS).toBe(10_000);
    expect(() => loadConfig({ TSA_URL: 'ftp://tsa.example' })).toThrow(/TSA_URL/);
  });

  it('stamps through the configured TSA with the PEM bundle as trust', async () => {
    const config = loadConfig({
      TSA_URL: tsa.url,
      TSA_TRUSTED_CERTS_FILE: tsa.trustedCertsFile,
      TSA_TIMEOUT_MS: '5000',
    });
    const timestamper = createTimestamperFromConfig(config);
    const digest = new Uint8Array(32).fill(7);
    const stamped = await timestamper?.stamp(digest);
    expect(stamped?.time).toBeInstanceOf(Date);
  });

  it('stops start-up when the trusted certificates are missing or unreadable', async () => {
    expect(() => createTimestamperFromConfig(loadConfig({ TSA_URL: tsa.url }))).toThrow(/TSA_TRUSTED_CERTS_FILE/);
    const empty = join(dir, 'empty.pem');
    await writeFile(empty, 'no certificates here\n');
    const config = loadConfig({ TSA_URL: tsa.url, TSA_TRUSTED_CERTS_FILE: empty });
    expect(() => createTimestamperFromConfig(config)).toThrow(/no PEM certificate/);
    const missing = loadConfig({ TSA_URL: tsa.url, TSA_TRUSTED_CERTS_FILE: join(dir, 'missing.pem') });
    expect(() => createTimestamperFromConfig(missing)).toThrow(/missing\.pem/);
  });
});
