import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter';

/** A task the test finishes by hand, so ordering is observed without timers. */
function deferred() {
  let finish: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { promise, finish };
}

describe('createLimiter', () => {
  it('starts queued tasks in arrival order as slots free up', async () => {
    const limiter = createLimiter(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map(() => deferred());
    const runs = gates.map((gate, index) =>
      limiter.run(async () => {
        started.push(index);
        await gate.promise;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([limiter.activeCount, limiter.pendingCount]).toEqual([2, 2]);

    gates[1]?.finish();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);

    for (const gate of gates) gate.finish();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([limiter.activeCount, limiter.pendingCount]).toEqual([0, 0]);
  });

  it('releases the slot when a task throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });

  it('drops a queued task whose signal aborts and rejects with the reason', async () => {
    const limiter = createLimiter(1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    let hasRun = false;
    const queued = limiter.run(async () => {
      hasRun = true;
    }, controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(queued).rejects.toThrow('shutdown');
    expect(limiter.pendingCount).toBe(0);
    gate.finish();
    await first;
    expect(hasRun).toBe(false);
    expect(limiter.activeCount).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});
