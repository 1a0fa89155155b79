import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer, waitUntil } from '@osiris/central/testing';
import type { Rollout, RolloutAppliance } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LINUX_CHECK_IMPLEMENTATIONS } from '../checks/linux';
import { parseConfig } from '../config';
import { type RunningAppliance, startAppliance } from '../daemon/appliance';
import { createLogger } from '../log';
import { readState, rollBack, writeState } from './state';
import { fakeReleaseTarball, installedRoot, releaseKey, removeDirs, signedManifest } from './update.testkit';

/**
 * The daemon's updater against a real central (PGlite) on loopback: a rollout's signed
 * `install_release` order, the download from central, the switch and the exit code 75, the new
 * version's health gate and `healthy` (the rollout completes); then a version that fails its gate,
 * the rollback the supervisor writes and `rolled_back` from the old version (the rollout pauses).
 * The supervisor's own part runs for real in supervisor.int.test.ts; here the restarts are two
 * daemons started one after the other in this process, and the version each reports is set below
 * (the only thing not real: one build is both versions).
 */

const running = vi.hoisted(() => ({ version: '0.1.0' }));
vi.mock('../version', () => ({
  get APPLIANCE_VERSION() {
    return running.version;
  },
}));

const FAST_CHECK_IDS = ['linux.kernel.aslr', 'linux.sysctl.ip-forward'];
const checks = LINUX_CHECK_IMPLEMENTATIONS.filter((c) => FAST_CHECK_IDS.includes(c.id));

describe('self-update against a real central', () => {
  let central: CentralServer;
  let key: Awaited<ReturnType<typeof releaseKey>>;
  let siteId: string;
  const dirs: string[] = [];
  const started: RunningAppliance[] = [];
  const link = { down: false };
  const linkFetch: typeof fetch = async (input, init) => {
    if (link.down) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return fetch(input, init);
  };

  beforeAll(async () => {
    key = await releaseKey();
    central = await startCentralServer('pglite', { RELEASE_PUBLIC_KEYS: [key.publicB64] });
    siteId = (await central.createSite('update-site')).siteId;
  });
  afterAll(async () => {
    for (const appliance of started) await appliance.stop();
    await central?.close();
    removeDirs(dirs);
  });

  async function publish(version: string) {
    const release = await fakeReleaseTarball(dirs, version, 'healthy');
    const signed = await signedManifest(key, release, version);
    await central.call('POST', '/v1/releases', { signed, channel: 'stable' });
    const uploaded = await central.admin.request({
      method: 'PUT',
      url: `/v1/releases/${version}/artifact`,
      payload: release.bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
  }

  const rollout = (version: string) =>
    central.call<Rollout>('POST', '/v1/rollouts', {
      version,
      target: { kind: 'sites', siteIds: [siteId] },
      stages: [{ percent: 100, healthyMinutes: null }],
    });
  const rolloutState = async (id: string) => ({
    rollout: await central.call<Rollout>('GET', `/v1/rollouts/${id}`),
    appliance: (await central.call<{ items: RolloutAppliance[] }>('GET', `/v1/rollouts/${id}/appliances`)).items[0],
  });

  const { root, paths } = installedRoot(dirs, '0.1.0');
  const dataDir = mkdtempSync(join(tmpdir(), 'osiris-update-data-'));
  dirs.push(dataDir);
  const exits: number[] = [];

  async function start(slot: 'a' | 'b', version: string, gateSeconds = 30) {
    running.version = version;
    const yaml = [
      `centralUrl: ${central.url}`,
      `dataDir: ${dataDir}`,
      'hostname: update-test',
      `provisionCode: ${await central.provisionCode(siteId)}`,
      'checkinIntervalSeconds: 1',
      'targets:\n  - name: this-machine\n    kind: local',
      'checks:\n  defaultIntervalSeconds: 2\n  jitter: 0\n  initialSpreadSeconds: 0',
      'sync:\n  backoffInitialSeconds: 0.05\n  backoffMaxSeconds: 0.5\n  coalesceMs: 100',
      'statusPage:\n  enabled: false',
      `update:\n  root: ${root}\n  releasePublicKeys: [${key.publicB64}]\n  healthGateTimeoutSeconds: ${gateSeconds}\n  reportRetryMaxSeconds: 1`,
    ].join('\n');
    const appliance = await startAppliance({
      config: parseConfig(yaml, {}),
      checks,
      fetchImpl: linkFetch,
      log: createLogger('silent'),
      update: { slot, root, requestExit: (code) => exits.push(code) },
    });
    started.push(appliance);
    return appliance;
  }
  const stop = async (appliance: RunningAppliance) => {
    await appliance.stop();
    started.splice(started.indexOf(appliance), 1);
  };

  it('installs a rollout’s release, restarts into it, passes the health gate and completes the rollout', async () => {
    await publish('0.2.0');
    const old = await start('a', '0.1.0');
    await waitUntil('a first check-in', async () => old.status().sync.lastCheckinAt !== null);
    const { id } = await rollout('0.2.0');
    await waitUntil('the restart request', async () => exits.includes(75), 30_000);
    expect(readState(paths)).toMatchObject({ knownGood: 'a', pending: { slot: 'b', version: '0.2.0' } });
    expect(readFileSync(join(paths.slot('b'), 'VERSION'), 'utf8').trim()).toBe('0.2.0');
    await waitUntil('installed at central', async () => (await rolloutState(id)).appliance?.state === 'installed');
    await stop(old);

    const fresh = await start('b', '0.2.0');
    await waitUntil('the gate to pass', async () => readState(paths)?.knownGood === 'b', 30_000);
    expect(readState(paths)).toMatchObject({ knownGoodVersion: '0.2.0', pending: null, outbox: [] });
    const done = await waitUntil('the rollout to complete', async () => {
      const s = await rolloutState(id);
      return s.rollout.status === 'completed' && s;
    });
    expect(done.appliance).toMatchObject({ state: 'healthy', fromVersion: '0.1.0', errorCode: null });
    await stop(fresh);
  });

  it('reports rolled_back from the old version after the new one failed its gate, and the rollout pauses', async () => {
    await publish('0.3.0');
    exits.length = 0;
    const old = await start('b', '0.2.0');
    const { id } = await rollout('0.3.0');
    await waitUntil('the restart request', async () => exits.includes(75), 30_000);
    expect(readState(paths)?.pending).toMatchObject({ slot: 'a', version: '0.3.0' });
    await stop(old);

    // The new version cannot reach central: no check-in, so its gate fails after 2 s with exit 76.
    link.down = true;
    const trial = await start('a', '0.3.0', 2);
    await waitUntil('the gate to fail', async () => exits.includes(76), 20_000);
    await stop(trial);
    expect(readState(paths)?.pending).toMatchObject({ slot: 'a', version: '0.3.0' });
    // What the supervisor writes after the third failed start.
    const state = readState(paths);
    if (!state) throw new Error('no state');
    writeState(paths, rollBack(state, 'HEALTH_GATE_FAILED', '0.3.0 failed 3 starts'));

    link.down = false;
    const back = await start('b', '0.2.0');
    const paused = await waitUntil('the rollout to pause', async () => {
      const s = await rolloutState(id);
      return s.rollout.status === 'paused' && s;
    });
    expect(paused.appliance).toMatchObject({ state: 'rolled_back', errorCode: 'HEALTH_GATE_FAILED' });
    expect(readState(paths)).toMatchObject({ knownGood: 'b', knownGoodVersion: '0.2.0', pending: null, outbox: [] });
    await stop(back);
  });
});
