import { createHash } from 'node:crypto';
import type { LearningCandidate, PatternReport } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, createTenant, expectError, type Tenant } from '../../testing/api';
import { signInAs } from '../../testing/principals';
import { checkinOrders, registerTestAppliance } from '../../testing/appliance';

const sig = (label: string) => createHash('sha256').update(label).digest('hex');
const RUNBOOK = 'rb-linux.ssh.x11-forwarding';

function pattern(signature: string, l2: { attempts: number; successes: number }, params = {}): PatternReport {
  return {
    patternSignature: signature,
    checkId: 'linux.ssh.x11-forwarding',
    incidentType: 'drift',
    occurrences: l2.attempts + 1,
    l1Attempts: 0,
    l1Successes: 0,
    l2Attempts: l2.attempts,
    l2Successes: l2.successes,
    l3Escalations: 0,
    firstSeenAt: '2026-11-01T00:00:00.000Z',
    lastSeenAt: '2026-11-30T00:00:00.000Z',
    fixes: [{ tier: 'L2', runbookId: RUNBOOK, params, ...l2 }],
  };
}

describe.each(testBackends)('learning loop on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let a: Awaited<ReturnType<typeof registerTestAppliance>>;
  let b: Awaited<ReturnType<typeof registerTestAppliance>>;
  let tenantA: Tenant;
  let tenantB: Tenant;

  const report = (token: string, patterns: unknown[]) =>
    t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/patterns',
      payload: { schemaVersion: 1, patterns },
      headers: { authorization: `Bearer ${token}` },
    });
  const candidates = async (query = ''): Promise<LearningCandidate[]> => {
    const res = await readonly.request({ method: 'GET', url: `/v1/learning/candidates${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };
  const checkin = (token: string) => checkinOrders(t, token);

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
    tenantA = await createTenant(admin);
    tenantB = await createTenant(admin);
    a = await registerTestAppliance(t, admin, tenantA.site.id);
    b = await registerTestAppliance(t, admin, tenantB.site.id);
  });
  afterAll(() => t.close());

  it('sums L2 fixes over appliances and lists only patterns at ≥ 5 fixes and ≥ 90 % success', async () => {
    for (const [appliance, patterns] of [
      [a, [pattern(sig('p1'), { attempts: 3, successes: 3 }), pattern(sig('few'), { attempts: 4, successes: 4 })]],
      [b, [pattern(sig('p1'), { attempts: 2, successes: 2 }), pattern(sig('flaky'), { attempts: 6, successes: 5 })]],
    ] as const) {
      const res = await report(appliance.token, [...patterns]);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ accepted: 2 });
    }
    // Counters are totals: sending the same report again changes nothing.
    expect((await report(a.token, [pattern(sig('p1'), { attempts: 3, successes: 3 })])).statusCode).toBe(200);

    const list = await candidates();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      patternSignature: sig('p1'),
      runbookId: RUNBOOK,
      l2Attempts: 5,
      l2Successes: 5,
      successRate: 1,
      applianceCount: 2,
      siteCount: 2,
      status: 'candidate',
      rule: null,
    });
    // The same pattern fixed with other parameters is a separate candidate, never merged.
    expect(
      (await report(b.token, [pattern(sig('flaky'), { attempts: 6, successes: 6 }, { mode: 'strict' })])).statusCode,
    ).toBe(200);
    expect((await candidates()).map((c) => [c.patternSignature, c.params]).sort()).toEqual(
      [
        [sig('p1'), {}],
        [sig('flaky'), { mode: 'strict' }],
      ].sort(),
    );
  });

  it('refuses malformed reports and callers without an appliance token', async () => {
    const good = pattern(sig('x'), { attempts: 1, successes: 1 });
    expectError(await report(a.token, [good, good]), 400, 'VALIDATION_FAILED');
    expectError(
      await report(a.token, [
        { ...good, fixes: [{ tier: 'L2', runbookId: RUNBOOK, params: {}, attempts: 1, successes: 2 }] },
      ]),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await report(a.token, [{ ...good, patternSignature: 'not-a-hash' }]), 400, 'VALIDATION_FAILED');
    expectError(
      await report(a.token, [{ ...good, fixes: [{ ...good.fixes[0], runbookId: 'rm -rf /' }] }]),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await report('osk_wrong', [good]), 401, 'UNAUTHENTICATED');
    const asUser = await admin.request({
      method: 'POST',
      url: '/v1/appliance/patterns',
      payload: { schemaVersion: 1, patterns: [good] },
    });
    expect(asUser.statusCode).toBe(401);
  });

  it('promotes an approved candidate to an L1 rule with provenance and sends it to every appliance', async () => {
    const [candidate] = (await candidates('?status=candidate')).filter((c) => c.patternSignature === sig('p1'));
    if (!candidate) throw new Error('no candidate');
    const url = `/v1/learning/candidates/${candidate.id}/approve`;
    expectError(await operator.request({ method: 'POST', url, payload: {} }), 403, 'FORBIDDEN');
    const res = await admin.request({ method: 'POST', url, payload: { note: 'Seen it work on both sites.' } });
    expect(res.statusCode, res.body).toBe(200);
    const { candidate: approved, ordersIssued } = res.json() as { candidate: LearningCandidate; ordersIssued: number };
    expect(ordersIssued).toBe(2);
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: admin.userId,
      note: 'Seen it work on both sites.',
    });
    expect(approved.rule).toMatchObject({
      action: RUNBOOK,
      source: 'promoted',
      enabled: true,
      provenance: { patternSignature: sig('p1'), approvedBy: admin.email, l2Successes: 5, successRate: 1 },
    });
    expect(approved.rule?.conditions).toContainEqual({ field: 'patternSignature', operator: 'eq', value: sig('p1') });

    for (const appliance of [a, b]) {
      const orders = await checkin(appliance.token);
      const update = orders.find((o) => o.order.type === 'update_rules');
      expect(update?.order.payload).toEqual({ rules: [approved.rule] });
    }
    expectError(await admin.request({ method: 'POST', url, payload: {} }), 409, 'CONFLICT');
    expectError(
      await admin.request({
        method: 'POST',
        url: `/v1/learning/candidates/${candidate.id}/reject`,
        payload: { note: 'no' },
      }),
      409,
      'CONFLICT',
    );
    const audit = await auditOf(admin, candidate.id);
    expect(audit.map((e) => e.action)).toEqual(['learning.approve']);

    // An appliance that registers later receives the promoted rules too.
    const c = await registerTestAppliance(t, admin, (await createTenant(admin)).site.id);
    const orders = await checkin(c.token);
    expect(orders.find((o) => o.order.type === 'update_rules')?.order.payload).toEqual({ rules: [approved.rule] });
    expect((await candidates('?status=approved')).map((x) => x.id)).toEqual([candidate.id]);
  });

  it('records a rejection with its reason and keeps the candidate out of the rule set', async () => {
    const [candidate] = await candidates('?status=candidate');
    if (!candidate) throw new Error('no candidate');
    const url = `/v1/learning/candidates/${candidate.id}/reject`;
    expectError(await admin.request({ method: 'POST', url, payload: {} }), 400, 'VALIDATION_FAILED');
    const res = await admin.request({ method: 'POST', url, payload: { note: 'Strict mode breaks the lab printers.' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'rejected', rule: null, note: 'Strict mode breaks the lab printers.' });
    expect(await candidates('?status=candidate')).toEqual([]);
    expect((await auditOf(admin, candidate.id)).map((e) => e.action)).toEqual(['learning.reject']);
    expectError(
      await admin.request({ method: 'POST', url: `/v1/learning/candidates/${sig('none')}/approve`, payload: {} }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await admin.request({ method: 'POST', url: '/v1/learning/candidates/xyz/approve', payload: {} }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('lets a partner admin promote fixes seen on its own appliances, for its own appliances only', async () => {
    const partnerA = await signInAs(t, { role: 'partner_admin', partnerId: tenantA.partner.id });
    const partnerB = await signInAs(t, { role: 'partner_admin', partnerId: tenantB.partner.id });
    expect((await report(a.token, [pattern(sig('q'), { attempts: 5, successes: 5 })])).statusCode).toBe(200);
    const list = async (caller: Caller) =>
      ((await caller.request({ method: 'GET', url: '/v1/learning/candidates?status=candidate' })).json().items ??
        []) as LearningCandidate[];
    const ofA = await list(partnerA);
    // Partner A's appliance alone fixed p1 3 times (not enough there) and q 5 times.
    expect(ofA.map((c) => c.patternSignature)).toEqual([sig('q')]);
    // Partner B sees its own appliance's record (the strict-mode fix the platform rejected is still
    // a candidate in B's scope), never A's.
    expect((await list(partnerB)).map((c) => c.patternSignature)).toEqual([sig('flaky')]);
    const [candidate] = ofA;
    if (!candidate) throw new Error('no candidate');
    expectError(
      await partnerB.request({ method: 'POST', url: `/v1/learning/candidates/${candidate.id}/approve`, payload: {} }),
      404,
      'NOT_FOUND',
    );
    const technician = await signInAs(t, { role: 'technician', partnerId: tenantA.partner.id });
    expectError(
      await technician.request({ method: 'POST', url: `/v1/learning/candidates/${candidate.id}/approve`, payload: {} }),
      403,
      'FORBIDDEN',
    );
    const res = await partnerA.request({
      method: 'POST',
      url: `/v1/learning/candidates/${candidate.id}/approve`,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const { candidate: approved, ordersIssued } = res.json() as { candidate: LearningCandidate; ordersIssued: number };
    expect(ordersIssued).toBe(1);
    // Appliance A runs the platform's promotions and its partner's; appliance B is not sent this one.
    // (Unanswered orders are delivered again; the newest rule set is the last.)
    const update = (await checkin(a.token)).filter((o) => o.order.type === 'update_rules').at(-1);
    if (update?.order.type !== 'update_rules') throw new Error('no update_rules order');
    const ruleIds = update.order.payload.rules.map((r) => r.id);
    expect(ruleIds).toContain(approved.rule?.id);
    expect(ruleIds).toHaveLength(2);
    const forB = (await checkin(b.token)).filter((o) => o.order.type === 'update_rules');
    expect(forB.every((o) => !JSON.stringify(o.order.payload).includes(String(approved.rule?.id)))).toBe(true);
    // The platform's list does not show the partner's decision as its own.
    expect((await candidates('?status=approved')).map((c) => c.id)).not.toContain(candidate.id);
  });
});
