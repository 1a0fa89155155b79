import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { readState, type UpdatePaths } from './state';
import { supervise } from './supervisor';
import {
  type ArtifactServer,
  buildInstallDriver,
  events,
  fakeReleaseTarball,
  installedRoot,
  type KillPoint,
  releaseKey,
  removeDirs,
  signedManifest,
  spawnInstallDriver,
  startArtifactServer,
  tempDir,
  TEST_TOKEN,
  TEST_ROLLOUT,
  waitFor,
  registeredStore,
  reportStates,
} from './update.testkit';

/**
 * `kill -9` at every step of an install, in a real child process running the real installer
 * against a real store, root and HTTP server: afterwards the old version is still the one the
 * supervisor starts (or, once the switch was written, the new one on trial), and the next start
 * reports what happened.
 */

const log = createLogger('silent');

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

describe('kill -9 during an install', () => {
  const dirs: string[] = [];
  const servers: ArtifactServer[] = [];
  const driverDirs: string[] = [];
  let driver = '';
  beforeAll(async () => {
    driver = await buildInstallDriver(tempDir('osiris-driver-', driverDirs));
  });
  afterAll(() => removeDirs(driverDirs));
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    removeDirs(dirs);
  });

  async function setup() {
    const key = await releaseKey();
    const release = await fakeReleaseTarball(dirs, '1.1.0', 'healthy');
    const server = await startArtifactServer(release.bytes, TEST_TOKEN);
    servers.push(server);
    const { root, paths } = installedRoot(dirs, '1.0.0');
    const dataDir = tempDir('osiris-crash-data-', dirs);
    const store = registeredStore(dataDir, server.url, key);
    store.close();
    const payload = {
      rolloutId: TEST_ROLLOUT,
      release: await signedManifest(key, release, '1.1.0'),
      artifactPath: '/v1/appliance/releases/1.1.0/artifact',
    };
    const base = { root, dataDir, releasePublicKeys: [key.publicB64] };
    const install = (killAt: KillPoint = null) =>
      spawnInstallDriver(driver, { ...base, mode: 'install', payload, killAt });
    const recover = async () => {
      const run = await spawnInstallDriver(driver, { ...base, mode: 'recover' }).exited;
      expect(run.code).toBe(0);
    };
    return { server, root, paths, install, recover, release };
  }

  /** The old version untouched: slot a, its links and a state without a pending slot. */
  const oldVersionIntact = (paths: UpdatePaths) => {
    expect(readFileSync(join(paths.slot('a'), 'VERSION'), 'utf8').trim()).toBe('1.0.0');
    expect(readState(paths)).toMatchObject({ knownGood: 'a', knownGoodVersion: '1.0.0', pending: null });
    expect(readlinkSync(paths.current)).toBe('slots/a');
    expect(readlinkSync(paths.good)).toBe('slots/a');
  };

  /** Runs the real supervisor until the daemon it starts writes its first event; returns that event. */
  async function firstStart(root: string): Promise<string> {
    const stop = new AbortController();
    const done = supervise({
      root,
      daemonArgs: [],
      healthGateTimeoutMs: 5_000,
      stopGraceMs: 2_000,
      log,
      signal: stop.signal,
    });
    try {
      const first = await waitFor(() => events(root).find((e) => e.startsWith('start ')));
      return first.split(' ').slice(0, 3).join(' ');
    } finally {
      stop.abort();
      await done;
    }
  }

  for (const killAt of ['verified', 'downloaded', 'extracting', 'unpacking', 'extracted'] as const) {
    it(`at "${killAt}": the old version keeps running and the next start reports INTERRUPTED`, async () => {
      const t = await setup();
      const run = await t.install(killAt).exited;
      expect(run.signal).toBe('SIGKILL');
      oldVersionIntact(t.paths);
      await t.recover();
      expect(reportStates(t.server).at(-1)).toBe('failed:INTERRUPTED');
      expect(reportStates(t.server).filter((s) => s !== 'downloading')).toEqual(['failed:INTERRUPTED']);
      expect(await firstStart(t.root)).toBe('start 1.0.0 a');
      oldVersionIntact(t.paths);
      if (killAt !== 'downloaded' && killAt !== 'unpacking') return;
      // What was left behind (a whole download; a half-unpacked slot b) does not block the next install.
      const again = await t.install().exited;
      expect(again.code).toBe(75);
      expect(readState(t.paths)?.pending).toMatchObject({ slot: 'b', version: '1.1.0' });
      expect(readFileSync(join(t.paths.slot('b'), 'VERSION'), 'utf8').trim()).toBe('1.1.0');
    });
  }

  it('mid-download (killed from outside): the old version keeps running, and the next install resumes with Range', async () => {
    const t = await setup();
    t.server.stallFirstAt = 60_000;
    const child = t.install();
    const part = join(t.paths.downloads, '1.1.0.tar.gz.part');
    await waitFor(() => sizeOf(part) >= 60_000);
    process.kill(child.pid, 'SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    oldVersionIntact(t.paths);
    await t.recover();
    expect(reportStates(t.server)).toEqual(['downloading', 'failed:INTERRUPTED']);
    expect(await firstStart(t.root)).toBe('start 1.0.0 a');
    const again = await t.install().exited;
    expect(again.code).toBe(75);
    expect(t.server.requests.map((r) => r.range)).toEqual([null, 'bytes=60000-']);
    expect(readState(t.paths)?.pending).toMatchObject({ slot: 'b', version: '1.1.0' });
  });

  it('right after the switch was written: the new version is started on trial and `installed` still reaches central', async () => {
    const t = await setup();
    const run = await t.install('recorded').exited;
    expect(run.signal).toBe('SIGKILL');
    expect(readState(t.paths)).toMatchObject({ knownGood: 'a', pending: { slot: 'b', version: '1.1.0' } });
    await t.recover();
    expect(reportStates(t.server)).toEqual(['downloading', 'installed']);
    expect(readState(t.paths)?.outbox).toEqual([]);
    expect(await firstStart(t.root)).toBe('start 1.1.0 b');
  });
});
