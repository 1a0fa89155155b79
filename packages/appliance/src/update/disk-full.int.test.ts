import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmdirSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readState } from './state';
import {
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

/**
 * A full disk, for real: the install root is a small tmpfs mounted for the test (needs root, like
 * the lab), so ENOSPC comes from the kernel, during the download or while unpacking.
 */

const freeBytes = (dir: string) => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

describe('a full disk during an install (tmpfs)', () => {
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('these tests mount a tmpfs: run them as root (as CI and the lab do)');
  });
  const dirs: string[] = [];
  const mounts: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const mount of mounts.splice(0)) {
      execFileSync('/bin/umount', [mount]);
      rmdirSync(mount);
    }
    removeDirs(dirs);
  });

  function tmpfs(sizeKb: number): string {
    const dir = mkdtempSync(join(tmpdir(), 'osiris-full-'));
    execFileSync('/bin/mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'osiris-test-full', dir]);
    mounts.push(dir);
    return dir;
  }

  async function setup(sizeKb: number) {
    const key = await releaseKey();
    const release = await fakeReleaseTarball(dirs, '1.1.0', 'healthy', 400_000);
    const server = await startArtifactServer(release.bytes, TEST_TOKEN);
    const { paths } = installedRoot(dirs, '1.0.0', 'healthy', { root: tmpfs(sizeKb), bulkBytes: 100_000 });
    const store = registeredStore(tempDir('osiris-full-data-', dirs), server.url, key);
    const { reporter, stop } = runningReporter(store);
    let restarts = 0;
    const installer = testInstaller({
      store,
      paths,
      reporter,
      releasePublicKeys: [key.publicB64],
      requestRestart: () => {
        restarts += 1;
      },
    });
    cleanups.push(async () => {
      await installer.stop();
      await stop();
      store.close();
      await server.close();
    });
    const payload = {
      rolloutId: TEST_ROLLOUT,
      release: await signedManifest(key, release, '1.1.0'),
      artifactPath: '/v1/appliance/releases/1.1.0/artifact',
    };
    return { server, paths, installer, payload, release, restarts: () => restarts };
  }

  it('fills up while downloading: DISK_FULL, the partial download is removed, the old version stays', async () => {
    const t = await setup(320);
    const freeBefore = freeBytes(t.paths.root);
    expect(freeBefore).toBeLessThan(t.release.bytes.length); // the artifact cannot fit
    expect((await t.installer.start(t.payload)).ok).toBe(true);
    await waitFor(() => t.server.reports.length === 2);
    expect(reportStates(t.server)).toEqual(['downloading', 'failed:DISK_FULL']);
    expect(t.server.reports[1]?.message).toContain('no space left');
    expect(readdirSync(t.paths.downloads)).toEqual([]);
    expect(freeBytes(t.paths.root)).toBe(freeBefore);
    expect(readState(t.paths)).toMatchObject({ knownGood: 'a', pending: null });
    expect(existsSync(t.paths.bin('a'))).toBe(true);
    expect(t.restarts()).toBe(0);
  });

  it('fills up while unpacking into the inactive slot: DISK_FULL, the half slot and the download are removed, the old version stays', async () => {
    const t = await setup(700);
    const freeBefore = freeBytes(t.paths.root);
    // The download fits, the download plus the unpacked tree do not.
    expect(freeBefore).toBeGreaterThan(t.release.bytes.length);
    expect(freeBefore).toBeLessThan(2 * t.release.bytes.length);
    await t.installer.start(t.payload);
    await waitFor(() => t.server.reports.length === 2);
    expect(reportStates(t.server)).toEqual(['downloading', 'failed:DISK_FULL']);
    expect(t.server.reports[1]?.message).toContain('unpacking');
    expect(existsSync(t.paths.slot('b'))).toBe(false);
    expect(readdirSync(t.paths.downloads)).toEqual([]);
    expect(freeBytes(t.paths.root)).toBe(freeBefore);
    expect(readState(t.paths)).toMatchObject({ knownGood: 'a', pending: null });
    expect(t.restarts()).toBe(0);
  });
});
