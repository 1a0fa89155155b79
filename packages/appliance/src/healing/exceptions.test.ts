import { describe, expect, it } from 'vitest';
import type { CheckRunResult } from '../evidence/evidence-writer';
import { createExceptionSet } from './exceptions';

const HOST_A = '11111111-1111-4111-8111-111111111111';
const HOST_B = '22222222-2222-4222-8222-222222222222';
const EXCEPTION = '33333333-3333-4333-8333-333333333333';
const CHECK = 'linux.ssh.permit-root-login';

function memorySettings() {
  const values = new Map<string, string>();
  return {
    get: (key: string) => values.get(key) ?? null,
    set: (key: string, value: string) => void values.set(key, value),
  };
}

function failing(hostId: string, checkId = CHECK): CheckRunResult {
  return {
    hostId,
    hostname: 'h',
    checkId,
    status: 'fail',
    reason: 'PermitRootLogin is yes',
    observed: { permitrootlogin: 'yes' },
    evaluatorInput: { stdout: 'permitrootlogin yes', exitCode: 0 },
    startedAt: new Date('2026-06-01T00:00:00Z'),
    finishedAt: new Date('2026-06-01T00:00:01Z'),
  };
}

const entry = (hostId: string | null) => ({
  id: EXCEPTION,
  checkId: CHECK,
  hostId,
  startsAt: '2026-06-01T00:00:00.000Z',
  expiresAt: '2026-07-01T00:00:00.000Z',
});

describe('the appliance exception set', () => {
  it('reports a covered result as excepted, keeping what the check saw and its verdict', () => {
    let now = new Date('2026-06-15T00:00:00Z');
    const set = createExceptionSet({ store: { settings: memorySettings() }, now: () => now });
    set.replace({ asOf: '2026-06-01T00:00:00.000Z', exceptions: [entry(HOST_A)] });

    const judged = set.judge(failing(HOST_A));
    expect(judged.status).toBe('excepted');
    expect(judged.observed).toEqual({
      permitrootlogin: 'yes',
      exception: { id: EXCEPTION, expiresAt: '2026-07-01T00:00:00.000Z', verdict: 'fail' },
    });
    expect(judged.reason).toContain('PermitRootLogin is yes');
    // Another host, another check: untouched.
    expect(set.judge(failing(HOST_B)).status).toBe('fail');
    expect(set.judge(failing(HOST_A, 'linux.ssh.password-auth')).status).toBe('fail');

    now = new Date('2026-07-01T00:00:00Z'); // the expiry instant is no longer covered
    expect(set.judge(failing(HOST_A)).status).toBe('fail');
    expect(set.active()).toEqual([]);
  });

  it('covers every host of the site when hostId is null, and not before it starts', () => {
    let now = new Date('2026-05-31T23:59:59Z');
    const set = createExceptionSet({ store: { settings: memorySettings() }, now: () => now });
    set.replace({ asOf: '2026-05-01T00:00:00.000Z', exceptions: [entry(null)] });
    expect(set.judge(failing(HOST_B)).status).toBe('fail');
    now = new Date('2026-06-01T00:00:00Z');
    expect(set.judge(failing(HOST_B)).status).toBe('excepted');
    expect(set.judge(failing(HOST_A)).status).toBe('excepted');
  });

  it('keeps the set across a restart and ignores an older set delivered late', () => {
    const settings = memorySettings();
    const now = () => new Date('2026-06-15T00:00:00Z');
    const first = createExceptionSet({ store: { settings }, now });
    expect(first.replace({ asOf: '2026-06-10T00:00:00.000Z', exceptions: [entry(HOST_A)] }).ok).toBe(true);

    const restarted = createExceptionSet({ store: { settings }, now });
    expect(restarted.judge(failing(HOST_A)).status).toBe('excepted');
    const late = restarted.replace({ asOf: '2026-06-09T00:00:00.000Z', exceptions: [] });
    expect(late).toMatchObject({ ok: true, detail: expect.stringContaining('ignored') });
    expect(restarted.judge(failing(HOST_A)).status).toBe('excepted');
    restarted.replace({ asOf: '2026-06-11T00:00:00.000Z', exceptions: [] });
    expect(restarted.judge(failing(HOST_A)).status).toBe('fail');
  });

  it('leaves a passing or erroring result alone only when no exception covers it', () => {
    const set = createExceptionSet({ store: { settings: memorySettings() }, now: () => new Date('2026-06-15Z') });
    expect(set.judge({ ...failing(HOST_A), status: 'pass' }).status).toBe('pass');
    set.replace({ asOf: '2026-06-01T00:00:00.000Z', exceptions: [entry(HOST_A)] });
    expect(set.judge({ ...failing(HOST_A), status: 'error' }).observed).toMatchObject({
      exception: { verdict: 'error' },
    });
  });
});
