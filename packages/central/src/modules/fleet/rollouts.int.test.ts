import { createHash } from 'node:crypto';
import {
  base64UrlToBytes,
  type Release,
  type Rollout,
  type RolloutAppliance,
  type SignedOrder,
  verifyOrder,
} from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createTenant, expectError, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';
import { availableRelease, checkinAt, newReleaseKey, type ReleaseKey, reportStatus } from './fleet.testkit';

type TestAppliance = Awaited<ReturnType<typeof registerTestAppliance>>;

describe.each(testBackends)('rollouts on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let key: ReleaseKey;
  let tenants: Tenant[];
  /** The 20 appliances of the staged rollout, 10 per tenant. */
  let fleet: TestAppliance[];
  let release: Release;

  beforeAll(async () => {
    key = await newReleaseKey();
    t = await startTestApp(backend, { RELEASE_PUBLIC_KEYS: [key.publicB64] });
    admin = await t.loginAs('admin');
    tenants = [await createTenant(admin), await createTenant(admin)];
    fleet = [];
    for (let i = 0; i < 20; i++) fleet.push(await registerTestAppliance(t, admin, (tenants[i % 2] as Tenant).site.id));
    release = (await availableRelease(admin, key, '1.0.0')).release;
  }, 120_000);
  afterAll(() => t.close());

  const byId = (id: string) => fleet.find((a) => a.applianceId === id) as TestAppliance;
  const rollout = async (id: string) =>
    (await admin.request({ method: 'GET', url: `/v1/rollouts/${id}` })).json() as Rollout;
  const members = async (id: string) =>
    (await admin.request({ method: 'GET', url: `/v1/rollouts/${id}/appliances` })).json().items as RolloutAppliance[];
  const control = (id: string, action: string, caller = admin, payload: unknown = {}) =>
    caller.request({ method: 'POST', url: `/v1/rollouts/${id}/${action}`, payload });
  /** A day and a minute pass (orders live a day); the admin's session is used along the way so it stays alive. */
  async function passDay() {
    for (let i = 0; i < 3; i++) {
      t.clock.advance(8 * 60 * 60_000 + 20_000);
      expect((await admin.request({ method: 'GET', url: '/v1/rollouts' })).statusCode).toBe(200);
    }
  }
  const installOrders = (orders: SignedOrder[]) => orders.filter((o) => o.order.type === 'install_release');
  /** Reports downloading → installed, checks in on the new version, reports healthy. */
  async function installs(appliance: TestAppliance, rolloutId: string, version = '1.0.0') {
    for (const state of ['downloading', 'installed'] as const)
      expect((await reportStatus(t, appliance.token, { rolloutId, version, state })).statusCode).toBe(200);
    await checkinAt(t, appliance.token, version);
    const res = await reportStatus(t, appliance.token, { rolloutId, version, state: 'healthy' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as RolloutAppliance;
  }

  it('runs a 5/25/100 rollout over 20 appliances: deterministic stages, signed orders to the open stage, auto-advance, auto-pause, completion', async () => {
    const created = await admin.request({
      method: 'POST',
      url: '/v1/rollouts',
      payload: {
        version: '1.0.0',
        target: { kind: 'all' },
        stages: [
          { percent: 5, healthyMinutes: 0 },
          { percent: 25, healthyMinutes: 0 },
          { percent: 100, healthyMinutes: null },
        ],
        failureThresholdPercent: 10,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json() as Rollout;
    expect(created.json()).toMatchObject({
      status: 'active',
      currentStage: 0,
      version: '1.0.0',
      name: 'Rollout 1.0.0',
    });

    // Stage membership: SHA-256(rolloutId + applianceId) order, cumulative 1 / 5 / 20.
    const ordered = fleet
      .map((a) => a.applianceId)
      .sort((x, y) => {
        const hx = createHash('sha256')
          .update(id + x)
          .digest('hex');
        const hy = createHash('sha256')
          .update(id + y)
          .digest('hex');
        return hx < hy ? -1 : 1;
      });
    const stageOf = new Map(ordered.map((applianceId, i) => [applianceId, i < 1 ? 0 : i < 5 ? 1 : 2]));
    const listed = await members(id);
    expect(listed.map((m) => m.applianceId)).toEqual(ordered);
    expect(listed.map((m) => m.stage)).toEqual(ordered.map((a) => stageOf.get(a)));
    expect((await rollout(id)).progress.map((p) => p.appliances)).toEqual([1, 4, 15]);

    // Only the open stage's appliance gets an install order, signed by central's order key.
    const stage = (n: number) => ordered.filter((a) => stageOf.get(a) === n).map(byId);
    for (const appliance of [...stage(1), ...stage(2)])
      expect(installOrders(await checkinAt(t, appliance.token))).toEqual([]);
    const [canary] = stage(0) as [TestAppliance];
    const [delivered] = installOrders(await checkinAt(t, canary.token));
    expect(delivered).toBeDefined();
    const verdict = await verifyOrder(delivered, base64UrlToBytes(canary.orderSigningPublicKey), {
      applianceId: canary.applianceId,
      now: t.clock.now(),
      alreadyApplied: () => false,
    });
    expect(verdict.ok).toBe(true);
    expect(delivered?.order.payload).toEqual({
      rolloutId: id,
      release: release.signed,
      artifactPath: '/v1/appliance/releases/1.0.0/artifact',
    });

    // Healthy is reported before the check-in on the new version: installed until the check-in confirms it.
    for (const state of ['downloading', 'installed', 'healthy'] as const)
      await reportStatus(t, canary.token, { rolloutId: id, version: '1.0.0', state });
    expect((await members(id)).find((m) => m.applianceId === canary.applianceId)?.state).toBe('installed');
    expect((await rollout(id)).currentStage).toBe(0);
    await checkinAt(t, canary.token, '1.0.0');
    await t.services.fleet.tick();
    // Healthy for 0 minutes: stage 2 (4 appliances) opened by itself, and they got their orders.
    const afterCanary = await rollout(id);
    expect(afterCanary.currentStage).toBe(1);
    expect(afterCanary.progress[0]?.healthySince).not.toBeNull();
    for (const appliance of stage(1)) expect(installOrders(await checkinAt(t, appliance.token))).toHaveLength(1);
    for (const appliance of stage(2)) expect(installOrders(await checkinAt(t, appliance.token))).toEqual([]);
    for (const appliance of stage(1)) expect((await installs(appliance, id)).state).toBe('healthy');
    expect((await rollout(id)).currentStage).toBe(2);
    const advanced = await auditWhere(admin, `action=rollout.advanced&targetId=${id}`);
    expect(advanced.map((e) => e.details.mode)).toEqual(['auto', 'auto']);

    // Reports are idempotent; a late report and a report after healthy change nothing.
    const first = stage(1)[0] as TestAppliance;
    const old = new Date(t.clock.now().getTime() - 3_600_000).toISOString();
    for (const late of [
      { state: 'downloading' as const, at: old },
      { state: 'failed' as const, errorCode: 'INSTALL_FAILED' },
      { state: 'healthy' as const },
    ])
      expect((await reportStatus(t, first.token, { rolloutId: id, version: '1.0.0', ...late })).json().state).toBe(
        'healthy',
      );
    expectError(
      await reportStatus(t, first.token, { rolloutId: id, version: '1.0.1', state: 'installed' }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await reportStatus(t, first.token, { rolloutId: id, version: '1.0.0', state: 'healthy', errorCode: 'nope' }),
      400,
      'VALIDATION_FAILED',
    );

    // Last stage: 15 appliances, threshold 10 %: one failure does not pause, two do.
    const last = stage(2);
    const [bad1, bad2, ...rest] = last as [TestAppliance, TestAppliance, ...TestAppliance[]];
    await reportStatus(t, bad1.token, {
      rolloutId: id,
      version: '1.0.0',
      state: 'failed',
      errorCode: 'HASH_MISMATCH',
      message: 'sha mismatch',
    });
    expect((await rollout(id)).status).toBe('active');
    await reportStatus(t, bad2.token, {
      rolloutId: id,
      version: '1.0.0',
      state: 'rolled_back',
      errorCode: 'HEALTH_GATE_FAILED',
    });
    const paused = await rollout(id);
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason).toMatch(/2 of 15 .*threshold 10 %/);
    expect(paused.progress[2]?.counts).toMatchObject({ failed: 1, rolled_back: 1, pending: 13 });
    const failedRow = (await members(id)).find((m) => m.applianceId === bad1.applianceId);
    expect(failedRow).toMatchObject({ state: 'failed', errorCode: 'HASH_MISMATCH', message: 'sha mismatch' });
    const autoPause = await auditWhere(admin, `action=rollout.paused&targetId=${id}`);
    expect(autoPause.map((e) => e.details.mode)).toEqual(['auto']);
    expect(autoPause[0]?.actorType).toBe('system');

    // Manual controls check the state.
    expectError(await control(id, 'pause'), 409, 'CONFLICT');
    expectError(await control(id, 'advance'), 409, 'CONFLICT');
    expect((await control(id, 'resume')).json()).toMatchObject({ status: 'active', pauseReason: null });
    expectError(await control(id, 'resume'), 409, 'CONFLICT');
    expectError(await control(id, 'advance'), 409, 'CONFLICT');
    // Resumed, the failures so far are accepted: the rollout stays active until it completes.
    for (const appliance of rest.slice(0, -1)) await installs(appliance, id);
    expect((await rollout(id)).status).toBe('active');
    await installs(rest[rest.length - 1] as TestAppliance, id);
    const done = await rollout(id);
    expect(done).toMatchObject({ status: 'completed', completedAt: expect.any(String) });
    expect(done.progress.map((p) => p.counts.healthy)).toEqual([1, 4, 13]);
    for (const action of ['pause', 'resume', 'cancel', 'advance'])
      expectError(await control(id, action), 409, 'CONFLICT');
    expect(await auditWhere(admin, `action=rollout.completed&targetId=${id}`)).toHaveLength(1);
    expect(await auditWhere(admin, `action=rollout.resumed&targetId=${id}`)).toHaveLength(1);
    const transitions = await auditWhere(admin, `action=rollout.appliance_state&targetId=${bad2.applianceId}`);
    expect(transitions[0]?.details).toMatchObject({
      from: 'pending',
      to: 'rolled_back',
      errorCode: 'HEALTH_GATE_FAILED',
    });
  }, 120_000);

  it('marks appliances already on the version healthy and those too old failed, without orders', async () => {
    await availableRelease(admin, key, '2.0.0', { minUpgradeFrom: '1.0.0' });
    const site = (await createTenant(admin)).site.id;
    const current = await registerTestAppliance(t, admin, site);
    const ancient = await registerTestAppliance(t, admin, site);
    await checkinAt(t, current.token, '2.0.0');
    const res = await admin.request({
      method: 'POST',
      url: '/v1/rollouts',
      payload: {
        version: '2.0.0',
        target: { kind: 'sites', siteIds: [site] },
        stages: [{ percent: 100, healthyMinutes: 0 }],
        failureThresholdPercent: 100,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json() as Rollout;
    const rows = await members(id);
    expect(rows.find((m) => m.applianceId === current.applianceId)).toMatchObject({ state: 'healthy' });
    expect(rows.find((m) => m.applianceId === ancient.applianceId)).toMatchObject({
      state: 'failed',
      errorCode: 'TOO_OLD_TO_UPGRADE',
      fromVersion: '0.1.0',
    });
    expect(installOrders(await checkinAt(t, current.token, '2.0.0'))).toEqual([]);
    expect(installOrders(await checkinAt(t, ancient.token))).toEqual([]);
    expect((await rollout(id)).status).toBe('completed');
  });

  it('re-issues an expired order, stops at cancel, and pauses when the release is withdrawn', async () => {
    await availableRelease(admin, key, '3.0.0');
    const site = (await createTenant(admin)).site.id;
    const pair = [await registerTestAppliance(t, admin, site), await registerTestAppliance(t, admin, site)];
    const create = async () => {
      const res = await admin.request({
        method: 'POST',
        url: '/v1/rollouts',
        payload: {
          version: '3.0.0',
          target: { kind: 'sites', siteIds: [site] },
          stages: [
            { percent: 50, healthyMinutes: null },
            { percent: 100, healthyMinutes: null },
          ],
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as Rollout).id;
    };
    const id = await create();
    // The same appliances cannot be in two unfinished rollouts.
    expectError(
      await admin.request({
        method: 'POST',
        url: '/v1/rollouts',
        payload: { version: '3.0.0', target: { kind: 'sites', siteIds: [site] } },
      }),
      409,
      'CONFLICT',
    );
    const first = (await members(id)).find((m) => m.stage === 0) as RolloutAppliance;
    const target = pair.find((a) => a.applianceId === first.applianceId) as TestAppliance;
    const [order] = installOrders(await checkinAt(t, target.token));
    await passDay();
    await t.services.fleet.tick();
    const [again] = installOrders(await checkinAt(t, target.token));
    expect(again?.order.id).toBeDefined();
    expect(again?.order.id).not.toBe(order?.order.id);
    expect(await auditWhere(admin, `action=rollout.order_reissued&targetId=${target.applianceId}`)).toHaveLength(1);

    // Without healthyMinutes only an admin advances; then cancel stops all orders.
    expect((await control(id, 'advance')).json()).toMatchObject({ currentStage: 1, status: 'active' });
    expectError(await control(id, 'advance'), 409, 'CONFLICT');
    expect((await control(id, 'pause', admin, { reason: 'checking logs' })).json()).toMatchObject({
      status: 'paused',
      pauseReason: 'checking logs',
    });
    expect((await control(id, 'cancel')).json()).toMatchObject({ status: 'cancelled' });
    expectError(await control(id, 'resume'), 409, 'CONFLICT');
    await passDay();
    await t.services.fleet.tick();
    for (const appliance of pair) expect(installOrders(await checkinAt(t, appliance.token))).toEqual([]);
    expect(await auditWhere(admin, `action=rollout.cancelled&targetId=${id}`)).toHaveLength(1);

    // A new rollout of the release; withdrawing the release pauses it, and it cannot resume.
    const second = await create();
    const withdrawn = await admin.request({ method: 'POST', url: '/v1/releases/3.0.0/withdraw', payload: {} });
    expect(withdrawn.statusCode).toBe(200);
    const paused = await rollout(second);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'Release 3.0.0 was withdrawn' });
    expectError(await control(second, 'resume'), 409, 'CONFLICT');
    expectError(
      await admin.request({
        method: 'POST',
        url: '/v1/rollouts',
        payload: { version: '3.0.0', target: { kind: 'all' } },
      }),
      409,
      'CONFLICT',
    );
  });

  it('keeps partners, practices and other appliances away from rollouts', async () => {
    const { items } = (await admin.request({ method: 'GET', url: '/v1/rollouts' })).json() as { items: Rollout[] };
    const id = (items[0] as Rollout).id;
    const [a] = tenants as [Tenant];
    const partner = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    const owner = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    for (const caller of [partner, owner]) {
      expectError(await caller.request({ method: 'GET', url: '/v1/rollouts' }), 403, 'FORBIDDEN');
      expectError(await caller.request({ method: 'GET', url: `/v1/rollouts/${id}` }), 403, 'FORBIDDEN');
      expectError(await caller.request({ method: 'GET', url: `/v1/rollouts/${id}/appliances` }), 403, 'FORBIDDEN');
      expectError(await control(id, 'pause', caller), 403, 'FORBIDDEN');
      expectError(
        await caller.request({
          method: 'POST',
          url: '/v1/rollouts',
          payload: { version: '1.0.0', target: { kind: 'partner', partnerId: a.partner.id } },
        }),
        403,
        'FORBIDDEN',
      );
    }
    const operator = await t.loginAs('operator');
    expect((await operator.request({ method: 'GET', url: `/v1/rollouts/${id}` })).statusCode).toBe(200);
    expectError(await control(id, 'cancel', operator), 403, 'FORBIDDEN');
    // An appliance outside the rollout cannot report into it.
    const outsider = await registerTestAppliance(t, admin, a.site.id);
    const first = (await admin.request({ method: 'GET', url: '/v1/rollouts?status=completed' })).json()
      .items as Rollout[];
    const completed = first.find((r) => r.version === '1.0.0') as Rollout;
    expectError(
      await reportStatus(t, outsider.token, { rolloutId: completed.id, version: '1.0.0', state: 'healthy' }),
      404,
      'NOT_FOUND',
    );
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/rollouts' }), 401, 'UNAUTHENTICATED');
  });
});
