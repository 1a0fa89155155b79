import { spawn } from 'node:child_process';
import { readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { type PendingSlot, readState, type UpdatePaths, writeState } from './state';
import { supervise } from './supervisor';
import {
  events,
  type FakeBehaviour,
  installedRoot,
  removeDirs,
  writeFakeTree,
  TEST_ROLLOUT,
  waitFor,
} from './update.testkit';

const log = createLogger('silent');
const APPLIANCE_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'osiris-appliance.mjs');

/** Puts `version` with `behaviour` into slot b and records it pending, as the installer leaves it. */
function stageB(paths: UpdatePaths, version: string, behaviour: FakeBehaviour, gateDelayMs = 0): void {
  writeFakeTree(paths.slot('b'), version, behaviour, gateDelayMs, 1000);
  const state = readState(paths);
  if (!state) throw new Error('no state');
  const pending: PendingSlot = {
    slot: 'b',
    version,
    rolloutId: TEST_ROLLOUT,
    fromVersion: '1.0.0',
    startAttempts: 0,
    lastError: null,
  };
  writeState(paths, { ...state, pending });
}

const link = (file: string) => readlinkSync(file);
const starts = (root: string) => events(root).filter((e) => e.startsWith('start '));

describe('the supervisor, with real child processes', () => {
  const dirs: string[] = [];
  const running: { stop: AbortController; done: Promise<void> }[] = [];
  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.stop.abort();
      await run.done;
    }
    removeDirs(dirs);
  });

  function start(root: string, healthGateTimeoutMs = 3000) {
    const stop = new AbortController();
    const done = supervise({
      root,
      daemonArgs: ['run', '--config', '/nonexistent.yaml'],
      healthGateTimeoutMs,
      gateMarginMs: 200,
      stopGraceMs: 2000,
      restartDelayMs: { initial: 10, max: 50 },
      log,
      signal: stop.signal,
    });
    running.push({ stop, done });
    return { stop, done };
  }

  it('creates its state on first start from the seeded slot a and restarts a daemon that stops', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0', 'crash');
    rmSync(paths.state);
    start(root);
    await waitFor(() => starts(root).length >= 3);
    expect(readState(paths)).toEqual({
      schemaVersion: 1,
      knownGood: 'a',
      knownGoodVersion: '1.0.0',
      pending: null,
      outbox: [],
    });
    expect(starts(root)[0]).toMatch(/^start 1\.0\.0 a \d+$/);
  });

  it('rolls back to the known-good slot after 3 failed starts of a new version that crashes', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'crash');
    start(root);
    await waitFor(() => starts(root).length === 4);
    expect(starts(root).map((e) => e.split(' ').slice(0, 3).join(' '))).toEqual([
      'start 1.1.0 b',
      'start 1.1.0 b',
      'start 1.1.0 b',
      'start 1.0.0 a',
    ]);
    const state = readState(paths);
    expect(state).toMatchObject({ knownGood: 'a', knownGoodVersion: '1.0.0', pending: null });
    expect(state?.outbox).toEqual([
      expect.objectContaining({
        rolloutId: TEST_ROLLOUT,
        version: '1.1.0',
        state: 'rolled_back',
        fromVersion: '1.0.0',
        errorCode: 'START_FAILED',
        message: expect.stringContaining('1.1.0 failed 3 starts'),
      }),
    ]);
    expect(link(paths.current)).toBe('slots/a');
    expect(link(paths.good)).toBe('slots/a');
    // The old version keeps running: no fourth try of the new one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(starts(root)).toHaveLength(4);
  });

  it('makes a new version known good once its health gate passes', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'healthy', 100);
    start(root);
    await waitFor(() => events(root).includes('healthy 1.1.0 b'));
    const state = readState(paths);
    expect(state).toMatchObject({ knownGood: 'b', knownGoodVersion: '1.1.0', pending: null });
    expect(state?.outbox).toEqual([expect.objectContaining({ version: '1.1.0', state: 'healthy', errorCode: null })]);
    expect(link(paths.current)).toBe('slots/b');
    expect(link(paths.good)).toBe('slots/b');
    expect(starts(root)).toHaveLength(1);
  });

  it('counts a new version that never passes its gate (hangs) as failed, stops it, and rolls back after 3', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'hang');
    const startedAt = Date.now();
    start(root, 1000);
    await waitFor(() => readState(paths)?.outbox.length === 1);
    // Each trial lasted the gate's time plus the margin before it was stopped.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3 * 1200);
    expect(readState(paths)?.outbox).toEqual([
      expect.objectContaining({
        state: 'rolled_back',
        errorCode: 'HEALTH_GATE_FAILED',
        message: expect.stringContaining('the health gate did not pass in time'),
      }),
    ]);
    expect(link(paths.current)).toBe('slots/a');
    await waitFor(() => events(root).some((e) => e.startsWith('start 1.0.0 a')));
  });

  it('counts the exit code of a failed health gate as HEALTH_GATE_FAILED', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'gate-fail', 50);
    start(root);
    await waitFor(() => starts(root).length === 4);
    expect(readState(paths)?.outbox).toEqual([
      expect.objectContaining({
        state: 'rolled_back',
        errorCode: 'HEALTH_GATE_FAILED',
        message: expect.stringContaining('exited with 76'),
      }),
    ]);
  });

  it('counts a kill -9 of the new daemon before its gate passed as a failed start, and lets the next start pass', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'healthy', 3000);
    start(root, 20_000);
    const first = await waitFor(() => starts(root)[0]);
    process.kill(Number(first.split(' ')[3]), 'SIGKILL');
    await waitFor(() => readState(paths)?.pending?.lastError);
    expect(readState(paths)?.pending).toMatchObject({
      startAttempts: expect.any(Number),
      lastError: { code: 'START_FAILED', message: expect.stringContaining('SIGKILL') },
    });
    await waitFor(() => events(root).includes('healthy 1.1.0 b'), 30_000);
    expect(starts(root).map((e) => e.split(' ').slice(0, 3).join(' '))).toEqual(['start 1.1.0 b', 'start 1.1.0 b']);
    expect(readState(paths)).toMatchObject({ knownGood: 'b', pending: null });
  });

  it('does not count a stop of the service during a trial as a failed start', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'hang');
    const run = start(root, 60_000);
    await waitFor(() => starts(root).length === 1);
    run.stop.abort();
    await run.done;
    expect(events(root)).toContain('stop 1.1.0 b');
    expect(readState(paths)?.pending).toMatchObject({ slot: 'b', startAttempts: 0, lastError: null });
  });
});

describe('osiris-appliance supervise (the CLI), killed with its daemon', () => {
  const dirs: string[] = [];
  const groups: number[] = [];
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeDirs(dirs);
  });

  it('keeps counting the starts of the version on trial across a kill -9 of the whole service, then rolls back', async () => {
    const { root, paths } = installedRoot(dirs, '1.0.0');
    stageB(paths, '1.1.0', 'hang');
    const config = join(root, 'appliance.yaml');
    const cli = (timeoutSeconds: number) => {
      const text = `centralUrl: http://127.0.0.1:9\ndataDir: ./data\nlogLevel: warn\nupdate:\n  healthGateTimeoutSeconds: ${timeoutSeconds}\n`;
      writeFileSync(config, text);
      // Its own process group, as systemd's cgroup: a kill takes the supervisor and its daemon.
      const child = spawn(process.execPath, [APPLIANCE_BIN, 'supervise', '--config', config, '--root', root], {
        detached: true,
        stdio: 'ignore',
      });
      groups.push(child.pid ?? 0);
      return child;
    };
    // A power cut during the first trial start: the start was counted before it happened.
    const first = cli(60);
    await waitFor(() => starts(root).length === 1, 30_000);
    process.kill(-(first.pid ?? 0), 'SIGKILL');
    expect(readState(paths)?.pending).toMatchObject({ slot: 'b', startAttempts: 1 });
    // systemd starts the service again: the count goes on (2, 3) and then back to slot a.
    cli(1);
    await waitFor(() => readState(paths)?.outbox.length === 1, 40_000);
    expect(readState(paths)).toMatchObject({ knownGood: 'a', pending: null });
    expect(readState(paths)?.outbox[0]).toMatchObject({ state: 'rolled_back', errorCode: 'HEALTH_GATE_FAILED' });
    await waitFor(() => starts(root).some((e) => e.startsWith('start 1.0.0 a')), 30_000);
    expect(starts(root).map((e) => e.split(' ').slice(0, 3).join(' '))).toEqual([
      'start 1.1.0 b',
      'start 1.1.0 b',
      'start 1.1.0 b',
      'start 1.0.0 a',
    ]);
  });
});
