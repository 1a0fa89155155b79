import { readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { createHealthGate } from './health-gate';
import { createUpdateReporter } from './reporter';
import { readState, writeState } from './state';
import { TEST_ROLLOUT, installedRoot, removeDirs, tempDir, writeFakeTree } from './update.testkit';

const log = createLogger('silent');

describe('the health gate of a version on trial', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    removeDirs(dirs);
  });

  function setup(timeoutMs: number, runningSlot: 'a' | 'b' = 'b') {
    const { paths } = installedRoot(dirs, '1.0.0');
    writeFakeTree(paths.slot('b'), '1.1.0', 'healthy', 0, 1000);
    const state = readState(paths);
    if (!state) throw new Error('no state');
    writeState(paths, {
      ...state,
      pending: {
        slot: 'b',
        version: '1.1.0',
        rolloutId: TEST_ROLLOUT,
        fromVersion: '1.0.0',
        startAttempts: 1,
        lastError: null,
      },
    });
    const store = openStore(tempDir('osiris-gate-data-', dirs));
    stores.push(store);
    const reporter = createUpdateReporter({ store, log });
    const failures: string[] = [];
    const gate = createHealthGate({
      paths,
      slot: runningSlot,
      timeoutMs,
      startedAt: Date.now(),
      log,
      reporter,
      onFail: (reason) => failures.push(reason),
    });
    return { paths, reporter, gate, failures };
  }

  it('passes once the store opened, a check-in succeeded and a check ran: the slot becomes known good and `healthy` is queued', async () => {
    const t = setup(5_000);
    expect(t.gate.isActive).toBe(true);
    t.gate.note('store');
    t.gate.note('checks');
    expect(readState(t.paths)?.pending?.slot).toBe('b'); // not yet: no check-in
    t.gate.note('checkin');
    expect(t.gate.hasPassed).toBe(true);
    expect(readState(t.paths)).toMatchObject({ knownGood: 'b', knownGoodVersion: '1.1.0', pending: null, outbox: [] });
    expect(readlinkSync(t.paths.good)).toBe('slots/b');
    expect(t.reporter.queued()).toEqual([
      expect.objectContaining({ rolloutId: TEST_ROLLOUT, version: '1.1.0', state: 'healthy', fromVersion: '1.0.0' }),
    ]);
    t.gate.stop();
    expect(t.failures).toEqual([]);
  });

  it('fails when the conditions are not all met in time, naming what is missing, and changes nothing', async () => {
    const t = setup(300);
    t.gate.note('store');
    t.gate.note('checks');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.failures).toEqual(['health gate timed out after 300 ms; missing: checkin']);
    expect(t.gate.hasPassed).toBe(false);
    // A check-in after the deadline does not make it pass any more.
    t.gate.note('checkin');
    expect(readState(t.paths)).toMatchObject({ knownGood: 'a', pending: { slot: 'b' } });
    expect(readlinkSync(t.paths.good)).toBe('slots/a');
  });

  it('is inactive in the known-good slot: nothing to judge, nothing written', async () => {
    const t = setup(100, 'a');
    expect(t.gate.isActive).toBe(false);
    t.gate.note('store');
    t.gate.note('checkin');
    t.gate.note('checks');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.failures).toEqual([]);
    expect(readState(t.paths)).toMatchObject({ knownGood: 'a', pending: { slot: 'b' } });
  });
});
