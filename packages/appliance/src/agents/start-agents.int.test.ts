import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { fetchPinnedCaPem } from './agent-server.testkit';
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateSiteCa } from './site-ca';
import { startAgentEndpoint } from './start-agents';

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;
const SITE_ID = '0d6f7a9e-1b2c-4d3e-8f4a-5b6c7d8e9f00';

describe('startAgentEndpoint', () => {
  let dataDir: string;
  let store: Store;
  afterEach(() => {
    store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const configWith = (agents: string) =>
    parseConfig(`centralUrl: http://127.0.0.1:9\ndataDir: ${dataDir}\n${agents}`, {});

  it('starts nothing unless agents.enabled is set', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'osiris-agents-start-'));
    store = openStore(dataDir);
    const log = createLogger('silent');
    expect(await startAgentEndpoint({ config: configWith(''), store, siteId: SITE_ID, log })).toBeNull();
  });

  it('creates the site CA with private files and serves TLS that the printed fingerprint pins, across restarts', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'osiris-agents-start-'));
    store = openStore(dataDir);
    const log = createLogger('silent');
    const config = configWith(
      'agents:\n  enabled: true\n  host: 127.0.0.1\n  port: 0\n  serverNames: [appliance.clinic.lan]\n',
    );
    const first = await startAgentEndpoint({ config, store, siteId: SITE_ID, log });
    if (!first) throw new Error('endpoint not started');
    const url = `https://127.0.0.1:${first.port}`;
    const ca = await loadOrCreateSiteCa(dataDir, { siteId: SITE_ID });
    expect(fingerprintOf(await fetchPinnedCaPem(url, ca.fingerprint))).toBe(ca.fingerprint);
    await first.close();
    for (const file of [CA_KEY_FILE, CA_CERT_FILE]) expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600);

    // A restart keeps the same CA, so enrolled agents keep trusting the appliance.
    const second = await startAgentEndpoint({ config, store, siteId: SITE_ID, log });
    if (!second) throw new Error('endpoint not started');
    try {
      expect(fingerprintOf(await fetchPinnedCaPem(`https://127.0.0.1:${second.port}`, ca.fingerprint))).toBe(
        ca.fingerprint,
      );
    } finally {
      await second.close();
    }
  });
});
