import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import type { Store } from '../store';
import type { InstallerDeps } from './installer';
import { createUpdateReporter } from './reporter';
import { readState, type UpdatePaths } from './state';
import {
  type ArtifactServer,
  fakeReleaseTarball,
  installedRoot,
  releaseKey,
  removeDirs,
  signedManifest,
  startArtifactServer,
  tempDir,
  TEST_TOKEN,
  TEST_ROLLOUT,
  waitFor,
  registeredStore,
  reportStates,
  runningReporter,
  testInstaller,
} from './update.testkit';

const log = createLogger('silent');

describe('install_release on the appliance', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const servers: ArtifactServer[] = [];
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    for (const store of stores.splice(0)) store.close();
    for (const server of servers.splice(0)) await server.close();
    removeDirs(dirs);
  });

  async function setup(options: { behaviour?: 'healthy' | 'crash'; version?: string; reportLoop?: boolean } = {}) {
    const key = await releaseKey();
    const release = await fakeReleaseTarball(dirs, options.version ?? '1.1.0', options.behaviour ?? 'healthy');
    const server = await startArtifactServer(release.bytes, TEST_TOKEN);
    servers.push(server);
    const { root, paths } = installedRoot(dirs, '1.0.0');
    const store = registeredStore(tempDir('osiris-data-', dirs), server.url, key);
    stores.push(store);
    // As in the daemon: the queue is sent by its loop, woken by every new report.
    const { reporter, stop } = runningReporter(store, options.reportLoop !== false);
    stops.push(stop);
    let restarts = 0;
    const make = (overrides: Partial<InstallerDeps> = {}) => {
      const installer = testInstaller({
        store,
        paths,
        reporter,
        releasePublicKeys: [key.publicB64],
        requestRestart: () => {
          restarts += 1;
        },
        ...overrides,
      });
      stops.unshift(() => installer.stop());
      return installer;
    };
    const payload = async (
      version = options.version ?? '1.1.0',
      minUpgradeFrom: string | null = null,
      signer = key,
    ) => ({
      rolloutId: TEST_ROLLOUT,
      release: await signedManifest(signer, release, version, minUpgradeFrom),
      artifactPath: `/v1/appliance/releases/${version}/artifact`,
    });
    return { key, release, server, root, paths, store, reporter, make, payload, restarts: () => restarts };
  }

  const slotAIntact = (paths: UpdatePaths) => {
    expect(readFileSync(join(paths.slot('a'), 'VERSION'), 'utf8').trim()).toBe('1.0.0');
    expect(readState(paths)).toMatchObject({ knownGood: 'a', pending: null });
  };

  it('downloads, verifies and unpacks a signed release into the inactive slot, records it pending and asks for a restart', async () => {
    const t = await setup();
    const installer = t.make();
    const outcome = await installer.start(await t.payload());
    expect(outcome).toEqual({ ok: true, detail: 'installing 1.1.0 into slot b' });
    await waitFor(() => t.restarts() === 1);
    expect(readFileSync(join(t.paths.slot('b'), 'VERSION'), 'utf8').trim()).toBe('1.1.0');
    expect(existsSync(t.paths.bin('b'))).toBe(true);
    expect(readState(t.paths)).toMatchObject({
      knownGood: 'a',
      pending: { slot: 'b', version: '1.1.0', rolloutId: TEST_ROLLOUT, fromVersion: '1.0.0', startAttempts: 0 },
    });
    expect(reportStates(t.server)).toEqual(['downloading', 'installed']);
    expect(t.server.reports[1]).toMatchObject({ fromVersion: '1.0.0', bytesDownloaded: t.release.bytes.length });
    expect(t.server.requests).toEqual([{ range: null, authorization: `Bearer ${TEST_TOKEN}` }]);
    expect(existsSync(join(t.paths.downloads, '1.1.0.tar.gz.part'))).toBe(false);
    // While one waits to start, another install is refused.
    expect(await installer.start(await t.payload('1.2.0'))).toMatchObject({ ok: false, code: 'UPDATE_IN_PROGRESS' });
  });

  it('resumes a broken-off download from where it stopped with an HTTP Range request', async () => {
    const t = await setup();
    t.server.cutFirstAt = 40_000;
    expect(t.release.bytes.length).toBeGreaterThan(40_000);
    await t.make().start(await t.payload());
    await waitFor(() => t.restarts() === 1);
    expect(t.server.requests.map((r) => r.range)).toEqual([null, 'bytes=40000-']);
    expect(readState(t.paths)?.pending?.version).toBe('1.1.0');
  });

  it('refuses a download whose SHA-256 differs from the signed manifest and leaves the old version alone', async () => {
    const t = await setup();
    const corrupt = Buffer.from(t.release.bytes);
    corrupt[corrupt.length - 100] = (corrupt[corrupt.length - 100] ?? 0) ^ 0xff;
    t.server.artifact = corrupt;
    await t.make().start(await t.payload());
    await waitFor(() => t.server.reports.length === 2);
    expect(reportStates(t.server)).toEqual(['downloading', 'failed:HASH_MISMATCH']);
    expect(t.restarts()).toBe(0);
    expect(existsSync(t.paths.slot('b'))).toBe(false);
    expect(existsSync(join(t.paths.downloads, '1.1.0.tar.gz.part'))).toBe(false);
    slotAIntact(t.paths);
  });

  it('refuses a release signed by an unknown key, a tampered manifest, any release when no keys are pinned, and installs outside the supervisor', async () => {
    const t = await setup();
    const stranger = await releaseKey();
    expect(await t.make().start(await t.payload('1.1.0', null, stranger))).toMatchObject({
      ok: false,
      code: 'UNKNOWN_KEY',
    });
    const tampered = await t.payload();
    tampered.release.manifest.notes = 'changed after signing';
    expect(await t.make().start(tampered)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(await t.make({ releasePublicKeys: [] }).start(await t.payload())).toMatchObject({
      ok: false,
      code: 'NO_RELEASE_KEYS',
    });
    expect(await t.make({ runningSlot: null }).start(await t.payload())).toMatchObject({
      ok: false,
      code: 'NOT_SUPERVISED',
    });
    await waitFor(() => t.server.reports.length === 4);
    expect(reportStates(t.server)).toEqual([
      'failed:UNKNOWN_KEY',
      'failed:BAD_SIGNATURE',
      'failed:UNKNOWN_KEY',
      'failed:INSTALL_FAILED',
    ]);
    expect(t.server.requests).toEqual([]);
    slotAIntact(t.paths);
  });

  it('refuses downgrades, the same version, and a release that needs a newer starting version', async () => {
    const t = await setup();
    expect(await t.make().start(await t.payload('0.9.0'))).toMatchObject({ ok: false, code: 'DOWNGRADE' });
    expect(await t.make().start(await t.payload('1.0.0'))).toMatchObject({ ok: false, code: 'DOWNGRADE' });
    expect(await t.make().start(await t.payload('1.1.0', '1.0.1'))).toMatchObject({
      ok: false,
      code: 'TOO_OLD_TO_UPGRADE',
    });
    expect(await t.make().start(await t.payload('1.1.0-rc.1'))).toMatchObject({ ok: true });
    expect(t.server.requests.length).toBeLessThanOrEqual(1);
  });

  it('refuses a tarball whose VERSION is not the signed version', async () => {
    const t = await setup({ version: '1.1.0' });
    // Signed as 1.2.0, but the tarball says 1.1.0 inside.
    await t.make().start(await t.payload('1.2.0'));
    await waitFor(() => t.server.reports.length === 2);
    expect(reportStates(t.server)).toEqual(['downloading', 'failed:INSTALL_FAILED']);
    expect(t.server.reports[1]?.message).toContain('says it is 1.1.0');
    slotAIntact(t.paths);
  });

  it('refuses a correctly signed artifact that is not a valid tarball (a broken build), and one holding a link', async () => {
    const t = await setup();
    // Half a gzip stream: the right hash and signature, but it cannot be unpacked.
    const garbage = t.release.bytes.subarray(0, Math.floor(t.release.bytes.length / 2));
    const signGarbage = { bytes: garbage, sha256: createHash('sha256').update(garbage).digest('hex') };
    t.server.artifact = garbage;
    await t.make().start({ ...(await t.payload()), release: await signedManifest(t.key, signGarbage, '1.1.0') });
    await waitFor(() => t.server.reports.length === 2);
    expect(reportStates(t.server)).toEqual(['downloading', 'failed:INSTALL_FAILED']);
    expect(t.server.reports[1]?.message).toContain('cannot unpack');
    expect(existsSync(t.paths.slot('b'))).toBe(false);
    slotAIntact(t.paths);
    // The packer refuses links, so a tarball with one is made with GNU tar.
    const tree = tempDir('osiris-link-tree-', dirs);
    mkdirSync(join(tree, 'bin'));
    writeFileSync(join(tree, 'VERSION'), '1.1.0\n');
    writeFileSync(join(tree, 'bin', 'osiris-appliance'), '');
    symlinkSync('/etc/shadow', join(tree, 'lib'));
    const linked = join(tempDir('osiris-link-', dirs), 'linked.tar.gz');
    execFileSync('tar', ['-czf', linked, '-C', tree, '.']);
    const bytes = readFileSync(linked);
    t.server.artifact = bytes;
    const signLinked = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    await t.make().start({ ...(await t.payload()), release: await signedManifest(t.key, signLinked, '1.1.0') });
    await waitFor(() => t.server.reports.length === 4);
    expect(reportStates(t.server).slice(2)).toEqual(['downloading', 'failed:INSTALL_FAILED']);
    expect(t.server.reports[3]?.message).toContain('only files and directories');
    expect(existsSync(t.paths.slot('b'))).toBe(false);
    slotAIntact(t.paths);
  });

  it('installs a tarball made with GNU tar (`tar -czf X -C tree .`)', async () => {
    const t = await setup();
    const work = tempDir('osiris-gnu-', dirs);
    execFileSync('tar', ['-xzf', t.release.file, '-C', work]);
    const gnu = join(tempDir('osiris-gnu-out-', dirs), 'gnu.tar.gz');
    execFileSync('tar', ['-czf', gnu, '-C', work, '.']);
    const bytes = readFileSync(gnu);
    t.server.artifact = bytes;
    const signed = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    await t.make().start({ ...(await t.payload()), release: await signedManifest(t.key, signed, '1.1.0') });
    await waitFor(() => t.restarts() === 1);
    expect(readFileSync(join(t.paths.slot('b'), 'VERSION'), 'utf8').trim()).toBe('1.1.0');
    expect(readFileSync(join(t.paths.slot('b'), 'lib', 'bulk.bin'))).toEqual(
      readFileSync(join(work, 'lib', 'bulk.bin')),
    );
  });

  it('keeps reports queued in the store while central is away and sends them in order later, also after a restart', async () => {
    const t = await setup({ reportLoop: false });
    t.server.reportsDown = true;
    await t.make().start(await t.payload('0.9.0'));
    await t.make().start(await t.payload('1.0.0'));
    await expect(t.reporter.flush()).rejects.toThrow(/503/);
    expect(t.reporter.queued()).toHaveLength(2);
    // A restart: the queue is in the store.
    const again = createUpdateReporter({ store: t.store, log });
    expect(again.queued().map((r) => r.version)).toEqual(['0.9.0', '1.0.0']);
    t.server.reportsDown = false;
    const stop = new AbortController();
    const loop = again.loop(stop.signal, 200);
    await waitFor(() => t.server.reports.length === 2);
    stop.abort();
    await loop;
    expect(t.server.reports.map((r) => r.version)).toEqual(['0.9.0', '1.0.0']);
    expect(again.queued()).toEqual([]);
  });
});
