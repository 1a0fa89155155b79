import type { SetAgentTierPayload, SignedOrder, WorkstationList } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, createChainWriter, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, createOk, createTenant, expectError, MISSING_ID, type Tenant } from '../../testing/api';
import { checkinOrders, registerTestAppliance } from '../../testing/appliance';
import { signInAs } from '../../testing/principals';

const tiersIn = (orders: SignedOrder[]): SetAgentTierPayload[] =>
  orders.flatMap((signed) => (signed.order.type === 'set_agent_tier' ? [signed.order.payload] : []));

const AGENT_1 = '01890000-0000-7000-8000-0000000b0001';
const AGENT_2 = '01890000-0000-7000-8000-0000000b0002';
const AGENT_3 = '01890000-0000-7000-8000-0000000b0003';

const entry = (agentId: string, hostname: string, overrides: Record<string, unknown> = {}) => ({
  agentId,
  hostname,
  os: 'windows',
  osVersion: 'Windows 11 Pro 23H2',
  agentVersion: '0.9.0',
  status: 'active',
  enrolledAt: '2026-11-20T10:00:00.000Z',
  lastSeenAt: '2026-11-25T11:59:00.000Z',
  droppedResultsTotal: 0,
  ...overrides,
});

describe.each(testBackends)('workstation agents on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let appliance: Awaited<ReturnType<typeof registerTestAppliance>>;
  let serverId: string;
  let partnerAdmin: Caller;
  let technician: Caller;
  let viewer: Caller;
  let otherPartnerAdmin: Caller;

  const report = (agents: unknown[], token = appliance.token) =>
    t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/agents',
      payload: { schemaVersion: 1, agents },
      headers: { authorization: `Bearer ${token}` },
    });
  const list = async (caller: Caller, siteId = a.site.id) => {
    const res = await caller.request({ method: 'GET', url: `/v1/sites/${siteId}/workstations` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as WorkstationList;
  };
  const setTier = (caller: Caller, tier: string, siteId = a.site.id) =>
    caller.request({ method: 'PUT', url: `/v1/sites/${siteId}/agent-tier`, payload: { tier } });

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    serverId = (
      await createOk<{ id: string }>(admin, '/v1/hosts', { siteId: a.site.id, hostname: 'fs01', platform: 'windows' })
    ).id;
    appliance = await registerTestAppliance(t, admin, a.site.id);
    partnerAdmin = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    technician = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    viewer = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    otherPartnerAdmin = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    await checkinOrders(t, appliance.token);
  });
  afterAll(() => t.close());

  it('upserts the roster as workstation hosts and refuses a hostname that is already a server', async () => {
    const res = await report([
      entry(AGENT_1, 'reception-pc'),
      entry(AGENT_2, 'fs01'),
      entry(AGENT_3, 'mac-dr', { os: 'macos', osVersion: 'macOS 14.6', droppedResultsTotal: 7 }),
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      accepted: 2,
      refused: [expect.objectContaining({ agentId: AGENT_2, hostname: 'fs01', code: 'HOSTNAME_TAKEN' })],
    });
    const server = (await admin.request({ method: 'GET', url: `/v1/hosts/${serverId}` })).json();
    expect(server).toMatchObject({ hostname: 'fs01', role: 'server', platform: 'windows' });
    const host = (await admin.request({ method: 'GET', url: `/v1/hosts/${AGENT_1}` })).json();
    expect(host).toMatchObject({
      siteId: a.site.id,
      hostname: 'reception-pc',
      role: 'workstation',
      platform: 'windows',
    });
    const listed = await list(viewer);
    expect(listed.tier).toBe('monitor_only');
    expect(listed.items.map((w) => [w.hostname, w.os, w.droppedResultsTotal])).toEqual([
      ['mac-dr', 'macos', 7],
      ['reception-pc', 'windows', 0],
    ]);
    expect((await auditOf(admin, appliance.applianceId)).map((e) => e.action)).toContain('workstations.roster-refused');
  });

  it('accepts the agents’ evidence once the roster arrived and counts their latest results', async () => {
    const next = createChainWriter(appliance.applianceId, appliance.pkcs8, {
      hostId: AGENT_1,
      hostname: 'reception-pc',
      checkOf: (seq) =>
        ['windows.workstation.bitlocker', 'windows.workstation.defender', 'windows.workstation.firewall'][seq % 3] ??
        '',
      statusOf: (seq) => (seq === 1 ? 'fail' : seq === 2 ? 'error' : 'pass'),
    });
    const res = await appliance.upload(await next(3));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().accepted).toBe(3);
    const agent = (await list(partnerAdmin)).items.find((w) => w.hostId === AGENT_1);
    expect(agent?.results).toEqual({ pass: 1, fail: 1, error: 1 });
    const latest = await admin.request({ method: 'GET', url: `/v1/hosts/${AGENT_1}/results` });
    expect(latest.statusCode, latest.body).toBe(200);
    expect(
      latest
        .json()
        .items.map((r: { checkId: string }) => r.checkId)
        .sort(),
    ).toEqual(['windows.workstation.bitlocker', 'windows.workstation.defender', 'windows.workstation.firewall']);
  });

  it('marks revoked agents and drops agents missing from the next report', async () => {
    const res = await report([entry(AGENT_1, 'reception-pc', { status: 'revoked' })]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, refused: [] });
    const listed = await list(admin);
    expect(listed.items.map((w) => [w.hostname, w.status])).toEqual([['reception-pc', 'revoked']]);
    const host = (await admin.request({ method: 'GET', url: `/v1/hosts/${AGENT_1}` })).json();
    expect(host.status).toBe('retired');
    const dropped = (await admin.request({ method: 'GET', url: `/v1/hosts/${AGENT_3}` })).json();
    expect(dropped.status).toBe('retired');
    // Reinstated.
    expect((await report([entry(AGENT_1, 'reception-pc'), entry(AGENT_3, 'mac-dr', { os: 'macos' })])).statusCode).toBe(
      200,
    );
    expect((await list(admin)).items.map((w) => w.status)).toEqual(['active', 'active']);
  });

  it('gives a re-enrolled computer’s name to its new agent and keeps the revoked one suffixed', async () => {
    const site = (await createTenant(admin)).site.id;
    const own = await registerTestAppliance(t, admin, site);
    const OLD = '01890000-0000-7000-8000-0000000d0001';
    const NEW = '01890000-0000-7000-8000-0000000d0002';
    expect((await report([entry(OLD, 'front-desk')], own.token)).json()).toEqual({ accepted: 1, refused: [] });
    // The PC was re-imaged: the old agent is revoked, the new one enrolled under the same name.
    const res = await report([entry(OLD, 'front-desk', { status: 'revoked' }), entry(NEW, 'front-desk')], own.token);
    expect(res.json(), res.body).toEqual({ accepted: 2, refused: [] });
    expect((await list(admin, site)).items.map((w) => [w.hostId, w.hostname, w.status])).toEqual([
      [NEW, 'front-desk', 'active'],
      [OLD, 'front-desk~000d0001', 'revoked'],
    ]);
    // A later report still naming the old agent with its computer's name changes nothing.
    expect(
      (await report([entry(OLD, 'front-desk', { status: 'revoked' }), entry(NEW, 'front-desk')], own.token)).json(),
    ).toEqual({ accepted: 2, refused: [] });
    expect((await list(admin, site)).items.map((w) => w.hostname)).toEqual(['front-desk', 'front-desk~000d0001']);
  });

  it('refuses an agent id that is another site’s host', async () => {
    const other = await registerTestAppliance(t, admin, b.site.id);
    const res = await report([entry(AGENT_1, 'stolen-pc')], other.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 0, refused: [{ agentId: AGENT_1, code: 'HOST_ID_TAKEN' }] });
    expect((await list(admin, b.site.id)).items).toEqual([]);
  });

  it('refuses malformed reports and callers that are not appliances', async () => {
    expectError(await report([entry('not-a-uuid', 'x')]), 400, 'VALIDATION_FAILED');
    expectError(await report([{ ...entry(AGENT_2, 'y'), extra: 1 }]), 400, 'VALIDATION_FAILED');
    expectError(await report([entry(AGENT_2, 'y', { os: 'beos' })]), 400, 'VALIDATION_FAILED');
    const res = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/agents',
      payload: { schemaVersion: 1, agents: [] },
    });
    expect(res.statusCode).toBe(401);
    const asUser = await admin.request({
      method: 'POST',
      url: '/v1/appliance/agents',
      payload: { schemaVersion: 1, agents: [] },
    });
    expect(asUser.statusCode).toBe(401);
  });

  it('lets a technician set the tier and sends the appliance a signed order', async () => {
    const res = await setTier(technician, 'self_heal');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ siteId: a.site.id, tier: 'self_heal' });
    expect(tiersIn(await checkinOrders(t, appliance.token))).toEqual([expect.objectContaining({ tier: 'self_heal' })]);
    expect((await viewer.request({ method: 'GET', url: `/v1/sites/${a.site.id}/agent-tier` })).json().tier).toBe(
      'self_heal',
    );
    expect((await list(viewer)).tier).toBe('self_heal');
    const entries = await auditOf(admin, a.site.id);
    expect(entries.find((e) => e.action === 'workstations.set-tier')?.details).toEqual({
      from: 'monitor_only',
      to: 'self_heal',
    });
    // A later appliance of the site gets the tier when it registers.
    const later = await registerTestAppliance(t, admin, a.site.id);
    expect(tiersIn(await checkinOrders(t, later.token)).map((p) => p.tier)).toEqual(['self_heal']);
  });

  it('refuses a bad tier, readers setting it, and other partners', async () => {
    const ordersBefore = tiersIn(await checkinOrders(t, appliance.token)).length;
    expectError(await setTier(partnerAdmin, 'everything'), 400, 'VALIDATION_FAILED');
    expectError(await setTier(viewer, 'full_remediation'), 403, 'FORBIDDEN');
    expectError(await setTier(otherPartnerAdmin, 'full_remediation'), 404, 'NOT_FOUND');
    expectError(
      await otherPartnerAdmin.request({ method: 'GET', url: `/v1/sites/${a.site.id}/workstations` }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await otherPartnerAdmin.request({ method: 'GET', url: `/v1/sites/${a.site.id}/agent-tier` }),
      404,
      'NOT_FOUND',
    );
    expectError(await admin.request({ method: 'GET', url: `/v1/sites/${MISSING_ID}/workstations` }), 404, 'NOT_FOUND');
    const anon = await t.anonymous.request({ method: 'GET', url: `/v1/sites/${a.site.id}/workstations` });
    expect(anon.statusCode).toBe(401);
    expect((await list(admin)).tier).toBe('self_heal');
    expect(tiersIn(await checkinOrders(t, appliance.token))).toHaveLength(ordersBefore);
  });
});
