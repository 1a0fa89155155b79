import { base64UrlToBytes, type OrderRecord, verifyOrder } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createTenant, expectError } from '../../testing/api';
import { checkinOrders, registerTestAppliance } from '../../testing/appliance';

describe.each(testBackends)('orders on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let siteId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    siteId = (await createTenant(admin)).site.id;
  });
  afterAll(() => t.close());

  const issue = (applianceId: string, payload: Record<string, unknown>, caller = operator) =>
    caller.request({ method: 'POST', url: `/v1/appliances/${applianceId}/orders`, payload });
  const checkin = (token: string) => checkinOrders(t, token);
  const answer = (token: string, orderId: string, payload: Record<string, unknown>) =>
    t.anonymous.request({
      method: 'POST',
      url: `/v1/appliance/orders/${orderId}/result`,
      payload: { schemaVersion: 1, ...payload },
      headers: { authorization: `Bearer ${token}` },
    });

  it('signs an order that the appliance verifies with the key it pinned, delivers it until answered', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const issued = await issue(appliance.applianceId, { type: 'run_checks_now', payload: {}, expiresInMinutes: 30 });
    expect(issued.statusCode, issued.body).toBe(201);
    const record = issued.json() as OrderRecord;
    expect(record).toMatchObject({ state: 'pending', type: 'run_checks_now', createdBy: operator.userId });

    const [delivered] = await checkin(appliance.token);
    expect(delivered?.order.id).toBe(record.id);
    const verdict = await verifyOrder(delivered, base64UrlToBytes(appliance.orderSigningPublicKey), {
      applianceId: appliance.applianceId,
      now: t.clock.now(),
      alreadyApplied: () => false,
    });
    expect(verdict.ok).toBe(true);
    // Not answered yet: sent again at the next check-in.
    expect((await checkin(appliance.token)).map((o) => o.order.id)).toEqual([record.id]);

    const done = await answer(appliance.token, record.id, { outcome: 'succeeded' });
    expect(done.json()).toMatchObject({ state: 'succeeded', deliveredAt: expect.any(String) });
    expect(await checkin(appliance.token)).toEqual([]);
    // The same answer again is fine; a different one is not.
    expect((await answer(appliance.token, record.id, { outcome: 'succeeded' })).statusCode).toBe(200);
    expectError(await answer(appliance.token, record.id, { outcome: 'failed' }), 409, 'CONFLICT');
    const listed = (
      await admin.request({ method: 'GET', url: `/v1/appliances/${appliance.applianceId}/orders` })
    ).json();
    expect(listed.items.map((o: OrderRecord) => [o.id, o.state])).toEqual([[record.id, 'succeeded']]);
  });

  it('records a refusal as a security event', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const { id } = (await issue(appliance.applianceId, { type: 'rotate_token', payload: {} })).json();
    await checkin(appliance.token);
    const refused = await answer(appliance.token, id, {
      outcome: 'refused',
      code: 'BAD_SIGNATURE',
      message: 'not ours',
    });
    expect(refused.json()).toMatchObject({ state: 'refused', result: { code: 'BAD_SIGNATURE' } });
    const events = await auditWhere(admin, `&action=security.order_refused&targetId=${id}`);
    expect(events).toHaveLength(1);
  });

  it('stops delivering an order once it expires', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const { id } = (
      await issue(appliance.applianceId, { type: 'run_checks_now', payload: {}, expiresInMinutes: 1 })
    ).json();
    t.clock.advance(61_000);
    expect(await checkin(appliance.token)).toEqual([]);
    const listed = (
      await admin.request({ method: 'GET', url: `/v1/appliances/${appliance.applianceId}/orders` })
    ).json();
    expect(listed.items.find((o: OrderRecord) => o.id === id)?.state).toBe('expired');
  });

  it('keeps each appliance to its own orders', async () => {
    const mine = await registerTestAppliance(t, admin, siteId);
    const other = await registerTestAppliance(t, admin, siteId);
    const { id } = (await issue(mine.applianceId, { type: 'run_checks_now', payload: {} })).json();
    expect(await checkin(other.token)).toEqual([]);
    expectError(await answer(other.token, id, { outcome: 'succeeded' }), 404, 'NOT_FOUND');
  });

  it('refuses bad orders, unknown appliances and callers without the role', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const bad = expectError(
      await issue(appliance.applianceId, { type: 'set_schedule', payload: { defaultIntervalSeconds: 5, checks: [] } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(bad.details?.issues?.map((i) => i.path.join('.'))).toContain('payload.defaultIntervalSeconds');
    expectError(await issue(appliance.applianceId, { type: 'reboot', payload: {} }), 400, 'VALIDATION_FAILED');
    expectError(
      await issue('01890000-0000-7000-8000-000000000000', { type: 'run_checks_now', payload: {} }),
      404,
      'NOT_FOUND',
    );
    const readonly = await t.loginAs('readonly');
    expectError(
      await issue(appliance.applianceId, { type: 'run_checks_now', payload: {} }, readonly),
      403,
      'FORBIDDEN',
    );
  });
});
