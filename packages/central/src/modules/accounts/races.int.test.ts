import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { totpCode, totpStep } from './totp';

/** Requests that arrive together must not slip past checks that hold one at a time. */
describe.each(testBackends)('concurrent account changes on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  it('never lets two admins disabling each other at once leave no active admin', async () => {
    for (let round = 0; round < 3; round++) {
      const suffix = `${round}-${Date.now().toString(36)}`;
      const ids: string[] = [];
      const callers: Caller[] = [];
      for (const name of ['a', 'b']) {
        const email = `race-${name}-${suffix}@test.example`;
        ids.push(await t.createUser('admin', email, 'race-condition-passphrase-9'));
        callers.push(await t.login(email, 'race-condition-passphrase-9'));
      }
      // Disable every other admin first, so these two are the only active ones.
      const active = await t.services.accounts.list({ limit: 200, role: 'admin', status: 'active' });
      for (const user of active.items.filter((u) => !ids.includes(u.id))) {
        await callers[0]?.request({
          method: 'PATCH',
          url: `/v1/admin/users/${user.id}`,
          payload: { status: 'disabled' },
        });
      }
      const [first, second] = await Promise.all([
        callers[0]?.request({ method: 'PATCH', url: `/v1/admin/users/${ids[1]}`, payload: { status: 'disabled' } }),
        callers[1]?.request({ method: 'PATCH', url: `/v1/admin/users/${ids[0]}`, payload: { status: 'disabled' } }),
      ]);
      const codes = [first?.statusCode, second?.statusCode].sort();
      expect(codes.filter((c) => c === 200).length, `round ${round}: ${codes}`).toBeLessThanOrEqual(1);
      const remaining = await t.services.accounts.list({ limit: 200, role: 'admin', status: 'active' });
      expect(remaining.items.length, `round ${round}`).toBeGreaterThanOrEqual(1);
    }
  });

  it('accepts one TOTP code for one sign-in only, even when sent three times at once', async () => {
    const email = `totp-race-${Date.now().toString(36)}@test.example`;
    const password = 'totp-race-passphrase-77';
    await t.createUser('readonly', email, password);
    const me = await t.login(email, password);
    const secret = (await me.request({ method: 'POST', url: '/v1/auth/totp/setup' })).json().secret as string;
    const enable = await me.request({
      method: 'POST',
      url: '/v1/auth/totp/enable',
      payload: { code: totpCode(secret, totpStep(t.clock.now().getTime())) },
    });
    expect(enable.statusCode).toBe(204);
    t.clock.advance(60_000);
    const code = totpCode(secret, totpStep(t.clock.now().getTime()));
    const attempts = await Promise.all(
      [1, 2, 3].map(() =>
        t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password, totpCode: code } }),
      ),
    );
    const statuses = attempts.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 401, 401]);
    for (const refused of attempts.filter((r) => r.statusCode === 401)) {
      expect(refused.json().error.code).toBe('INVALID_CREDENTIALS');
    }
  });
});
