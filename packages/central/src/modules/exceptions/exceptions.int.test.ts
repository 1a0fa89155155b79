import type { ComplianceException, SetExceptionsPayload, SignedOrder } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, createOk, createTenant, expectError, MISSING_ID, type Tenant } from '../../testing/api';
import { checkinOrders, registerTestAppliance } from '../../testing/appliance';
import { signInAs } from '../../testing/principals';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHECK = 'linux.ssh.permit-root-login';

const exceptionsIn = (orders: SignedOrder[]): SetExceptionsPayload[] =>
  orders.flatMap((signed) => (signed.order.type === 'set_exceptions' ? [signed.order.payload] : []));

describe.each(testBackends)('compliance exceptions on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let hostId: string;
  let appliance: Awaited<ReturnType<typeof registerTestAppliance>>;
  let owner: Caller;
  let partnerAdmin: Caller;
  let technician: Caller;
  let viewer: Caller;
  let auditor: Caller;
  let otherPartnerAdmin: Caller;

  const ask = (caller: Caller, body: Record<string, unknown>, siteId = a.site.id) =>
    caller.request({ method: 'POST', url: `/v1/sites/${siteId}/exceptions`, payload: body });
  const valid = (overrides: Record<string, unknown> = {}) => ({
    hostId,
    scope: { kind: 'check', checkId: CHECK },
    reason: 'The vendor EHR needs root over SSH until its upgrade in March; access is limited by the firewall.',
    expiresAt: new Date(t.clock.now().getTime() + 30 * DAY).toISOString(),
    ...overrides,
  });
  const act = (caller: Caller, id: string, verb: 'approve' | 'reject' | 'revoke', note?: string) =>
    caller.request({ method: 'POST', url: `/v1/exceptions/${id}/${verb}`, payload: note ? { note } : {} });

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    hostId = (
      await createOk<{ id: string }>(admin, '/v1/hosts', {
        siteId: a.site.id,
        hostname: 'ehr-db-01',
        platform: 'linux',
      })
    ).id;
    appliance = await registerTestAppliance(t, admin, a.site.id);
    owner = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    viewer = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    auditor = await signInAs(t, { role: 'auditor', practiceId: a.practice.id });
    partnerAdmin = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    technician = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    otherPartnerAdmin = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    await checkinOrders(t, appliance.token); // whatever registration queued
  });
  afterAll(() => t.close());

  it('lets the owner ask, the partner admin approve, and sends the appliance a signed set', async () => {
    // Partner A's admins hear of requests through a notification rule.
    const channel = await partnerAdmin.request({
      method: 'POST',
      url: '/v1/notification-channels',
      payload: {
        partnerId: a.partner.id,
        name: 'Requests',
        settings: { kind: 'email', addresses: ['msp@test.example'] },
      },
    });
    expect(channel.statusCode, channel.body).toBe(201);
    const rule = await partnerAdmin.request({
      method: 'POST',
      url: '/v1/notification-rules',
      payload: {
        partnerId: a.partner.id,
        eventTypes: ['exception.requested', 'exception.expired'],
        minPriority: 'P4',
        channelIds: [channel.json().id],
      },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const asked = await ask(owner, valid());
    const told = await partnerAdmin.request({
      method: 'GET',
      url: `/v1/notification-deliveries?partnerId=${a.partner.id}`,
    });
    expect((told.json() as { items: { eventType: string; title: string }[] }).items).toEqual([
      expect.objectContaining({ eventType: 'exception.requested', title: `Exception requested: ${CHECK}` }),
    ]);
    expect(asked.statusCode, asked.body).toBe(201);
    const pending = asked.json() as ComplianceException;
    expect(pending).toMatchObject({
      state: 'pending',
      siteId: a.site.id,
      practiceId: a.practice.id,
      partnerId: a.partner.id,
      hostId,
      checkIds: [CHECK],
      isActive: false,
    });
    expect(exceptionsIn(await checkinOrders(t, appliance.token))).toEqual([]); // nothing until approved

    expectError(await act(owner, pending.id, 'approve'), 403, 'FORBIDDEN');
    expectError(await act(technician, pending.id, 'approve'), 403, 'FORBIDDEN');
    expectError(await act(otherPartnerAdmin, pending.id, 'approve'), 404, 'NOT_FOUND');
    const approved = await act(partnerAdmin, pending.id, 'approve', 'Compensating firewall rule checked.');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      state: 'approved',
      isActive: true,
      decisionNote: 'Compensating firewall rule checked.',
    });
    expectError(await act(partnerAdmin, pending.id, 'approve'), 409, 'CONFLICT');

    const sets = exceptionsIn(await checkinOrders(t, appliance.token));
    expect(sets).toHaveLength(1);
    expect(sets[0]?.exceptions).toEqual([
      { id: pending.id, checkId: CHECK, hostId, startsAt: pending.startsAt, expiresAt: pending.expiresAt },
    ]);
    const actions = (await auditOf(admin, pending.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['exception.request', 'exception.approve']));
  });

  it('shows auditors and viewers the reason and approver, and other tenants nothing', async () => {
    const seen = await auditor.request({ method: 'GET', url: `/v1/exceptions?siteId=${a.site.id}` });
    expect(seen.statusCode, seen.body).toBe(200);
    const items = (seen.json() as { items: ComplianceException[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items[0]?.reason).toContain('vendor EHR');
    expect(items[0]?.decidedBy).not.toBeNull();
    expect(items[0]?.names).toEqual({
      requestedBy: 'Test practice_owner',
      decidedBy: 'Test partner_admin',
      endedBy: null,
    });
    expect((await viewer.request({ method: 'GET', url: '/v1/exceptions' })).statusCode).toBe(200);
    expectError(await ask(viewer, valid()), 403, 'FORBIDDEN');
    expectError(await ask(auditor, valid()), 403, 'FORBIDDEN');

    const foreign = await otherPartnerAdmin.request({ method: 'GET', url: '/v1/exceptions' });
    expect((foreign.json() as { items: unknown[] }).items).toEqual([]);
    expectError(
      await otherPartnerAdmin.request({ method: 'GET', url: `/v1/exceptions/${items[0]?.id}` }),
      404,
      'NOT_FOUND',
    );
    expectError(await ask(otherPartnerAdmin, valid()), 404, 'NOT_FOUND');
  });

  it('refuses bad input with clear reasons', async () => {
    const now = t.clock.now().getTime();
    expectError(await ask(technician, valid({ reason: 'short' })), 400, 'VALIDATION_FAILED');
    expectError(
      await ask(technician, valid({ expiresAt: new Date(now - DAY).toISOString() })),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await ask(technician, valid({ expiresAt: new Date(now + 400 * DAY).toISOString() })),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await ask(
        technician,
        valid({ startsAt: new Date(now + 10 * DAY).toISOString(), expiresAt: new Date(now + 5 * DAY).toISOString() }),
      ),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await ask(technician, valid({ scope: { kind: 'check', checkId: 'linux.no.such-check' } })),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await ask(technician, valid({ scope: { kind: 'control', framework: 'hipaa', controlId: 'nope' } })),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await ask(technician, valid({ hostId: MISSING_ID })), 400, 'VALIDATION_FAILED');
    expectError(await ask(technician, valid(), MISSING_ID), 404, 'NOT_FOUND');
    expectError(await act(partnerAdmin, MISSING_ID, 'approve'), 404, 'NOT_FOUND');
  });

  it('covers every check of a control for every host when asked site-wide', async () => {
    const setsBefore = exceptionsIn(await checkinOrders(t, appliance.token)).length;
    const asked = await ask(
      technician,
      valid({ hostId: null, scope: { kind: 'control', framework: 'hipaa', controlId: '164.312(b)' } }),
    );
    expect(asked.statusCode, asked.body).toBe(201);
    const control = asked.json() as ComplianceException;
    expect(control.hostId).toBeNull();
    expect(control.checkIds.length).toBeGreaterThan(1);
    expectError(await act(partnerAdmin, control.id, 'reject'), 400, 'VALIDATION_FAILED'); // a rejection says why
    const rejected = await act(admin, control.id, 'reject', 'Audit logging cannot be excepted.');
    expect(rejected.json()).toMatchObject({ state: 'rejected' });
    // A rejection sends nothing new (unanswered orders are delivered again, so count them).
    expect(exceptionsIn(await checkinOrders(t, appliance.token))).toHaveLength(setsBefore);
  });

  it('revokes early and expires on time, each time sending the reduced set', async () => {
    const first = (
      await ask(technician, valid({ scope: { kind: 'check', checkId: 'linux.ssh.password-authentication' } }))
    ).json() as ComplianceException;
    await act(partnerAdmin, first.id, 'approve');
    await checkinOrders(t, appliance.token);
    const revoked = await act(partnerAdmin, first.id, 'revoke', 'The vendor shipped the fix early.');
    expect(revoked.json()).toMatchObject({
      state: 'revoked',
      isActive: false,
      endNote: 'The vendor shipped the fix early.',
      names: { endedBy: 'Test partner_admin', requestedBy: 'Test technician' },
    });
    const afterRevoke = exceptionsIn(await checkinOrders(t, appliance.token));
    expect(afterRevoke.at(-1)?.exceptions.map((e) => e.id)).not.toContain(first.id);

    const short = (
      await ask(technician, valid({ expiresAt: new Date(t.clock.now().getTime() + HOUR).toISOString() }))
    ).json() as ComplianceException;
    await act(admin, short.id, 'approve');
    expect(
      exceptionsIn(await checkinOrders(t, appliance.token))
        .at(-1)
        ?.exceptions.map((e) => e.id),
    ).toContain(short.id);
    expect(await t.services.exceptions.expireDue()).toBe(0);
    t.clock.advance(2 * HOUR); // within the sessions' 12 h idle limit
    expect(await t.services.exceptions.expireDue()).toBeGreaterThanOrEqual(1);
    const expired = (
      await admin.request({ method: 'GET', url: `/v1/exceptions/${short.id}` })
    ).json() as ComplianceException;
    expect(expired).toMatchObject({ state: 'expired', isActive: false, endedBy: null });
    expect(
      exceptionsIn(await checkinOrders(t, appliance.token))
        .at(-1)
        ?.exceptions.map((e) => e.id),
    ).not.toContain(short.id);
    expect((await auditOf(admin, short.id)).map((e) => e.action)).toContain('exception.expire');
    expectError(await act(admin, short.id, 'revoke', 'too late'), 409, 'CONFLICT');
  });
});
