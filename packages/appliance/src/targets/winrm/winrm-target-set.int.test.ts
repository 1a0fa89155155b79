import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCheck } from '../../checks/run-check';
import { firewallProfilesEnabled } from '../../checks/windows/security/firewall-profiles-enabled';
import { parseConfig } from '../../config';
import { createTargetSet } from '../../daemon/targets';
import { createLogger } from '../../log';
import { openStore } from '../../store';
import { selfSignedCertificate, startWinrmStandIn, windowsLikeHandler } from './winrm-server.testkit';

/** The daemon's wiring: a `winrm` target from the config file, its pin in the appliance's SQLite store. */

const PASSWORD = 'Winter2026!-not-real';
const APPLIANCE_ID = '11111111-2222-4333-8444-555555555555';
let directory: string;
let certificate: { cert: string; key: string };
let impostor: { cert: string; key: string };
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'osiris-winrm-set-'));
  certificate = selfSignedCertificate(directory, 'dc01');
  impostor = selfSignedCertificate(directory, 'impostor');
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function configFor(port: number, passwordFile: string) {
  return parseConfig(
    `centralUrl: https://central.example.com
dataDir: ${join(directory, 'data')}
targets:
  - { name: dc01, kind: winrm, host: 127.0.0.1, port: ${port}, user: 'CORP\\svc-osiris', passwordFile: ${passwordFile} }
`,
    {},
  );
}

it('builds a winrm target from the config, pins its certificate in the store and refuses a changed one', async () => {
  const passwordFile = join(directory, 'dc01.password');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  const genuine = await startWinrmStandIn({ certificate, password: PASSWORD, handler: windowsLikeHandler() });
  const store = openStore(join(directory, 'data'));
  const mismatches: { hostname: string; endpoint: string }[] = [];
  const make = (port: number) =>
    createTargetSet({
      config: configFor(port, passwordFile),
      store,
      log: createLogger('silent'),
      onHostKeyMismatch: (info) => mismatches.push(info),
    });
  const set = make(genuine.port);
  try {
    await set.refresh(APPLIANCE_ID);
    const [target] = set.list();
    expect(target?.kind).toBe('winrm');
    const result = await runCheck(target as NonNullable<typeof target>, firewallProfilesEnabled, {
      timeoutMs: 10_000,
      maxOutputBytes: 65_536,
    });
    expect(result.status).toBe('pass');
    const endpoint = `https://127.0.0.1:${genuine.port}`;
    const pinned = store.hostKeyPins.get(endpoint);
    expect(pinned).toMatch(/^SHA256:/);
    await set.closeAll();
    await genuine.close();

    // Same address, another certificate: refused with the pinned fingerprint kept.
    const impostorServer = await startWinrmStandIn({
      certificate: impostor,
      password: PASSWORD,
      handler: windowsLikeHandler(),
    });
    store.hostKeyPins.pin(`https://127.0.0.1:${impostorServer.port}`, pinned as string);
    const second = make(impostorServer.port);
    await second.refresh(APPLIANCE_ID);
    const refused = await runCheck(second.list()[0] as NonNullable<typeof target>, firewallProfilesEnabled, {
      timeoutMs: 10_000,
      maxOutputBytes: 65_536,
    });
    expect(refused.observed).toEqual({ targetError: 'HOST_KEY_CHANGED' });
    expect(refused.reason).toMatch(/^dc01 presented a different TLS certificate than the one pinned/);
    expect(mismatches).toEqual([expect.objectContaining({ hostname: 'dc01', pinned })]);
    expect(impostorServer.httpRequests).toBe(0);
    await second.closeAll();
    await impostorServer.close();
  } finally {
    await set.closeAll();
    store.close();
  }
});

it('reports a winrm target whose password file is missing as AUTH_FAILED on every run', async () => {
  const store = openStore(join(directory, 'data-missing'));
  const set = createTargetSet({
    config: configFor(5986, join(directory, 'no-such-file')),
    store,
    log: createLogger('silent'),
    onHostKeyMismatch: () => undefined,
  });
  try {
    await set.refresh(APPLIANCE_ID);
    const [target] = set.list();
    expect(target?.kind).toBe('winrm');
    await expect(target?.run('Write-Output 1', { timeoutMs: 1_000, maxOutputBytes: 1_024 })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('cannot read the password file'),
    });
  } finally {
    await set.closeAll();
    store.close();
  }
});
