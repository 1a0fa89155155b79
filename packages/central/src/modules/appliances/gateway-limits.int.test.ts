import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkinRequest, startTestApp, type TestApp, testBackends } from '../../testing';
import { awayFromWindowEdge, createTenant, expectError } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

describe.each(testBackends)('per-appliance rate limit on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { APPLIANCE_RATE_LIMIT_PER_MINUTE: 3 });
  });
  afterAll(() => t.close());

  it('limits each appliance on its own, whatever address it calls from', async () => {
    const admin = await t.loginAs('admin');
    const { site } = await createTenant(admin);
    const noisy = await registerTestAppliance(t, admin, site.id);
    const quiet = await registerTestAppliance(t, admin, site.id);
    const checkin = (token: string, ip: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/appliance/checkin',
        remoteAddress: ip,
        headers: { authorization: `Bearer ${token}` },
        payload: checkinRequest(),
      });
    await awayFromWindowEdge(60);
    for (const ip of ['10.9.0.1', '10.9.0.2', '10.9.0.3'])
      expect((await checkin(noisy.token, ip)).statusCode).toBe(200);
    const limited = await checkin(noisy.token, '10.9.0.4');
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await checkin(quiet.token, '10.9.0.4')).statusCode).toBe(200);
  });
});
