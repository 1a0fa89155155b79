import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '@osiris/central/testing';
import type { Appliance } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { parseConfig } from '../config';
import { IDENTITY_KEY_FILE, loadOrCreateIdentityKey } from '../identity/identity-key';
import { openStore } from '../store';
import { CentralError } from './central-client';
import { checkin, register } from './register';

/**
 * End to end against a real Central Command (PGlite) listening on a loopback port: an admin makes a
 * site and a provision code over HTTP, the appliance registers with it and checks in.
 */
describe('appliance registration and check-in against a real central', () => {
  let t: TestApp;
  let centralUrl: string;
  let session: { cookie: string; csrf: string };
  let siteId: string;
  const dirs: string[] = [];

  const health = {
    uptimeSeconds: 42,
    queues: { evidenceOutbox: 0, failedUploads: 0 },
    targets: { total: 1, reachable: 1 },
  };

  async function api<T>(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<T> {
    const response = await fetch(`${centralUrl}${path}`, {
      method,
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrf,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    const body = await response.text();
    expect(response.ok, `${method} ${path}: ${response.status} ${body}`).toBe(true);
    return JSON.parse(body) as T;
  }

  const newCode = async () =>
    (await api<{ code: string }>('POST', `/v1/sites/${siteId}/provision-codes`, { expiresInHours: 1 })).code;

  /** A fresh appliance: its own data dir, config, identity key and store. */
  async function newAppliance(provisionCode?: string, url = centralUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'osiris-appliance-e2e-'));
    dirs.push(dir);
    const yaml = `centralUrl: ${url}\ndataDir: ${join(dir, 'data')}\nhostname: appliance-e2e\ntargets:\n  - name: self\n    kind: local\n`;
    writeFileSync(join(dir, 'appliance.yaml'), yaml);
    const config = parseConfig(yaml, provisionCode ? { OSIRIS_APPLIANCE_PROVISION_CODE: provisionCode } : {});
    const key = await loadOrCreateIdentityKey(config.dataDir);
    const store = openStore(config.dataDir);
    return { dir, config, key, store };
  }

  beforeAll(async () => {
    t = await startTestApp('pglite');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    centralUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const email = 'appliance-e2e-admin@test.example';
    const password = 'pw-appliance-e2e-0123456789';
    await t.createUser('admin', email, password);
    const login = await fetch(`${centralUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('osiris_session='));
    if (!cookie) throw new Error('login set no session cookie');
    session = { cookie: cookie.split(';')[0] ?? '', csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
    const partner = await api<{ id: string }>('POST', '/v1/partners', { name: 'MSP Appliance E2E', slug: 'msp-e2e' });
    const practice = await api<{ id: string }>('POST', '/v1/practices', { partnerId: partner.id, name: 'Clinic E2E' });
    siteId = (await api<{ id: string }>('POST', '/v1/sites', { practiceId: practice.id, name: 'Site E2E' })).id;
  });

  afterAll(async () => {
    await t?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('registers with a provision code, stores what central gave it, and checks in', async () => {
    const code = await newCode();
    const { config, key, store } = await newAppliance(code.toLowerCase());
    const registration = await register(config, store, key);
    expect(registration).toMatchObject({ siteId, centralUrl, applianceId: expect.any(String) });
    expect(store.registration.get()).toEqual(registration);
    expect(registration.orderSigningPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const before = await api<Appliance>('GET', `/v1/appliances/${registration.applianceId}`);
    expect(before).toMatchObject({ siteId, hostname: 'appliance-e2e', publicKey: key.publicKey, lastCheckinAt: null });

    const reply = await checkin(store, health);
    expect(reply).toMatchObject({ schemaVersion: 1, orders: [], nextCheckinSeconds: 60 });
    const after = await api<Appliance>('GET', `/v1/appliances/${registration.applianceId}`);
    expect(after.lastCheckinAt).not.toBeNull();
    expect(after.lastHealth).toMatchObject({ ...health, version: '0.1.0' });

    await expect(register(config, store, key)).rejects.toThrow(/already registered/);
    store.close();
  });

  it('refuses a second registration with the same code, clearly, and stores nothing', async () => {
    const code = await newCode();
    const first = await newAppliance(code);
    await register(first.config, first.store, first.key);
    first.store.close();

    const second = await newAppliance(code);
    const error = await register(second.config, second.store, second.key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CentralError);
    expect(error).toMatchObject({ code: 'BAD_CODE', status: 404 });
    expect((error as Error).message).toMatch(/invalid, already used, revoked or expired/);
    expect(second.store.registration.get()).toBeNull();
    second.store.close();
  });

  it('registers from the command line and prints the appliance id and site', async () => {
    const code = await newCode();
    const { dir, store } = await newAppliance();
    store.close();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
    const configFile = join(dir, 'appliance.yaml');

    expect(await runCli(['register', '--config', configFile, '--code', code], {}, io), err.join('\n')).toBe(0);
    const reopened = openStore(join(dir, 'data'));
    const registration = reopened.registration.get();
    reopened.close();
    expect(out).toEqual([`registered appliance ${registration?.applianceId}`, `site ${siteId}`]);
    expect(out.join('\n')).not.toContain(registration?.token);
    const keyFile = JSON.parse(readFileSync(join(dir, 'data', IDENTITY_KEY_FILE), 'utf8')) as { privateKey: string };
    expect(out.join('\n') + err.join('\n')).not.toContain(keyFile.privateKey);

    const other = await newAppliance();
    other.store.close();
    const otherConfig = join(other.dir, 'appliance.yaml');
    expect(await runCli(['register', '--config', otherConfig, '--code', code], {}, io)).toBe(1);
    expect(err.at(-1)).toMatch(/^osiris-appliance: Central refused the provision code/);
  });

  it('reports a refused token and an unreachable central as such', async () => {
    const code = await newCode();
    const { config, key, store } = await newAppliance(code);
    const registration = await register(config, store, key);
    store.registration.save({ ...registration, token: 'not-the-token' });
    await expect(checkin(store, health)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    store.close();

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await newAppliance(code, `http://127.0.0.1:${closedPort}`);
    await expect(register(unreachable.config, unreachable.store, unreachable.key)).rejects.toMatchObject({
      code: 'NETWORK',
      message: `Cannot reach central at http://127.0.0.1:${closedPort}/v1/appliance/register: ECONNREFUSED`,
    });
    unreachable.store.close();
  });
});
