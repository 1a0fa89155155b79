import type { PracticeTransfer } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createPartner,
  createPartnerWithPractice,
  createTenant,
  expectError,
  expectValidationIssues,
  MISSING_ID,
  type Tenant,
} from '../../testing/api';

describe.each(testBackends)('practice transfers on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let a: Tenant;
  let b: Tenant;
  let ownerA: Caller;
  let viewerA: Caller;
  let adminA: Caller;
  let adminB: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
    a = await createTenant(admin);
    b = await createTenant(admin);
    ownerA = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    viewerA = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    adminA = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    adminB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const requestsUrl = (practiceId: string) => `/v1/practices/${practiceId}/transfer-requests`;
  const file = (caller: Caller, practiceId: string, payload: Record<string, unknown>) =>
    caller.request({ method: 'POST', url: requestsUrl(practiceId), payload });
  const decide = (caller: Caller, id: string, verdict: 'approve' | 'reject', payload?: Record<string, unknown>) =>
    caller.request({
      method: 'POST',
      url: `/v1/admin/practice-transfers/${id}/${verdict}`,
      ...(payload ? { payload } : {}),
    });
  const outboxFor = (to: string) =>
    t.database.db
      .selectFrom('email_outbox')
      .selectAll()
      .where('to_address', '=', to)
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  it('refuses anonymous callers on every route', async () => {
    for (const request of [
      { method: 'POST' as const, url: requestsUrl(a.practice.id), payload: { toPartnerId: b.partner.id, reason: 'x' } },
      { method: 'GET' as const, url: requestsUrl(a.practice.id) },
      { method: 'GET' as const, url: '/v1/admin/practice-transfers' },
      { method: 'POST' as const, url: `/v1/admin/practice-transfers/${MISSING_ID}/approve` },
      { method: 'POST' as const, url: `/v1/admin/practice-transfers/${MISSING_ID}/reject`, payload: { note: 'x' } },
    ]) {
      expectError(await t.anonymous.request(request), 401, 'UNAUTHENTICATED');
    }
  });

  it('only the practice owner and platform operators may file a request (403 for others)', async () => {
    const payload = { toPartnerId: b.partner.id, reason: 'Closer support' };
    for (const caller of [viewerA, adminA, readonly]) {
      expectError(await file(caller, a.practice.id, payload), 403, 'FORBIDDEN');
    }
  });

  it('validates the target partner and the reason', async () => {
    const suspended = await createPartner(admin, { status: 'suspended' });
    for (const toPartnerId of [a.partner.id, MISSING_ID, suspended.id]) {
      const error = expectValidationIssues(await file(ownerA, a.practice.id, { toPartnerId, reason: 'Move' }));
      expect(error.details?.issues?.[0]?.path).toEqual(['toPartnerId']);
    }
    for (const reason of ['', '   ', 'x'.repeat(1001), 'bell\u0007']) {
      expectValidationIssues(await file(ownerA, a.practice.id, { toPartnerId: b.partner.id, reason }));
    }
    expectValidationIssues(await file(ownerA, a.practice.id, { toPartnerId: b.partner.id, reason: 'x', extra: 1 }));
  });

  it('an owner may not file for another practice (404)', async () => {
    expectError(await file(ownerA, b.practice.id, { toPartnerId: a.partner.id, reason: 'Mine now' }), 404, 'NOT_FOUND');
  });

  let pending: PracticeTransfer;

  it('the owner files a request; a second pending one is 409; it is audited', async () => {
    const res = await file(ownerA, a.practice.id, { toPartnerId: b.partner.id, reason: 'Better support\nand pricing' });
    expect(res.statusCode, res.body).toBe(201);
    pending = res.json() as PracticeTransfer;
    expect(pending).toMatchObject({
      practiceId: a.practice.id,
      fromPartnerId: a.partner.id,
      toPartnerId: b.partner.id,
      reason: 'Better support\nand pricing',
      state: 'pending',
      requestedBy: ownerA.userId,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
    });
    expectError(await file(ownerA, a.practice.id, { toPartnerId: b.partner.id, reason: 'Again' }), 409, 'CONFLICT');
    expectError(await file(operator, a.practice.id, { toPartnerId: b.partner.id, reason: 'Again' }), 409, 'CONFLICT');
    const [entry] = await auditOf(admin, pending.id);
    expect(entry).toMatchObject({
      action: 'practice.transfer_request',
      actorId: ownerA.userId,
      details: { practiceId: a.practice.id, fromPartnerId: a.partner.id, toPartnerId: b.partner.id },
    });
  });

  it("the practice's owner and partner see its requests; another partner gets 404, a viewer 403", async () => {
    for (const caller of [ownerA, adminA, readonly]) {
      const res = await caller.request({ method: 'GET', url: requestsUrl(a.practice.id) });
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as { items: PracticeTransfer[] }).items.map((r) => r.id)).toEqual([pending.id]);
    }
    expectError(await adminB.request({ method: 'GET', url: requestsUrl(a.practice.id) }), 404, 'NOT_FOUND');
    expectError(await viewerA.request({ method: 'GET', url: requestsUrl(a.practice.id) }), 403, 'FORBIDDEN');
  });

  it('platform staff list requests by state; no one else may', async () => {
    const res = await readonly.request({ method: 'GET', url: '/v1/admin/practice-transfers?state=pending' });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: PracticeTransfer[] };
    expect(page.items.map((r) => r.id)).toContain(pending.id);
    expect(page.items.every((r) => r.state === 'pending')).toBe(true);
    const approved = await readonly.request({ method: 'GET', url: '/v1/admin/practice-transfers?state=approved' });
    expect((approved.json() as { items: PracticeTransfer[] }).items.map((r) => r.id)).not.toContain(pending.id);
    expectValidationIssues(await readonly.request({ method: 'GET', url: '/v1/admin/practice-transfers?state=maybe' }));
    for (const caller of [adminA, ownerA]) {
      expectError(await caller.request({ method: 'GET', url: '/v1/admin/practice-transfers' }), 403, 'FORBIDDEN');
    }
  });

  it('only a platform admin decides (403 for operators, partners and the owner)', async () => {
    for (const caller of [operator, readonly, adminA, adminB, ownerA]) {
      expectError(await decide(caller, pending.id, 'approve'), 403, 'FORBIDDEN');
      expectError(await decide(caller, pending.id, 'reject', { note: 'No' }), 403, 'FORBIDDEN');
    }
    expectError(await decide(admin, MISSING_ID, 'approve'), 404, 'NOT_FOUND');
    expectValidationIssues(await decide(admin, pending.id, 'reject'));
    expectValidationIssues(await decide(admin, pending.id, 'reject', { note: '' }));
  });

  it('approval moves the practice to the new partner, is audited and emails the owner', async () => {
    const res = await decide(admin, pending.id, 'approve', { note: 'Agreed with both partners' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: pending.id,
      state: 'approved',
      decidedBy: admin.userId,
      decidedAt: expect.any(String),
      decisionNote: 'Agreed with both partners',
    });

    expectError(await adminA.request({ method: 'GET', url: `/v1/practices/${a.practice.id}` }), 404, 'NOT_FOUND');
    const moved = await adminB.request({ method: 'GET', url: `/v1/practices/${a.practice.id}` });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ id: a.practice.id, partnerId: b.partner.id });
    // The practice's sites move with it.
    const site = await adminB.request({ method: 'GET', url: `/v1/sites/${a.site.id}` });
    expect(site.statusCode, site.body).toBe(200);
    expectError(await adminA.request({ method: 'GET', url: `/v1/sites/${a.site.id}` }), 404, 'NOT_FOUND');

    const [entry] = await auditOf(admin, pending.id);
    expect(entry).toMatchObject({
      action: 'practice.transfer_approve',
      actorId: admin.userId,
      details: { practiceId: a.practice.id, fromPartnerId: a.partner.id, toPartnerId: b.partner.id },
    });
    const mails = await outboxFor(ownerA.email ?? '');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ template: 'practice_transfer_decided', status: 'queued' });
    expect(mails[0]?.subject).toContain(`now belongs to ${b.partner.name}`);
    expect(mails[0]?.text_body).toContain('Agreed with both partners');

    expectError(await decide(admin, pending.id, 'approve'), 409, 'CONFLICT');
    expectError(await decide(admin, pending.id, 'reject', { note: 'Too late' }), 409, 'CONFLICT');
  });

  it('a rejection leaves the practice where it is and tells the owner why', async () => {
    // The owner's session now reaches the practice under its new partner; ask to move back.
    const filed = await file(ownerA, a.practice.id, { toPartnerId: a.partner.id, reason: 'Changed our mind' });
    expect(filed.statusCode, filed.body).toBe(201);
    const request = filed.json() as PracticeTransfer;
    expect(request.fromPartnerId).toBe(b.partner.id);

    const res = await decide(admin, request.id, 'reject', { note: 'Please wait until the contract ends' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'rejected', decidedBy: admin.userId });
    const practice = await admin.request({ method: 'GET', url: `/v1/practices/${a.practice.id}` });
    expect(practice.json()).toMatchObject({ partnerId: b.partner.id });

    const [entry] = await auditOf(admin, request.id);
    expect(entry).toMatchObject({
      action: 'practice.transfer_reject',
      details: { note: 'Please wait until the contract ends' },
    });
    const mails = await outboxFor(ownerA.email ?? '');
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toContain('was not approved');
    expect(mails[1]?.text_body).toContain('Please wait until the contract ends');

    const history = await ownerA.request({ method: 'GET', url: requestsUrl(a.practice.id) });
    expect((history.json() as { items: PracticeTransfer[] }).items.map((r) => r.state)).toEqual([
      'rejected',
      'approved',
    ]);
  });

  it('a platform operator may file for any practice; a practice without an owner gets no mail', async () => {
    const { practice } = await createPartnerWithPractice(admin);
    const filed = await file(operator, practice.id, { toPartnerId: b.partner.id, reason: 'Partner retired' });
    expect(filed.statusCode, filed.body).toBe(201);
    const request = filed.json() as PracticeTransfer;
    expect(request.requestedBy).toBe(operator.userId);
    const before = await t.database.db.selectFrom('email_outbox').select('id').execute();
    expect((await decide(admin, request.id, 'approve')).statusCode).toBe(200);
    expect(await t.database.db.selectFrom('email_outbox').select('id').execute()).toHaveLength(before.length);
  });
});
