import type { PracticeTransfer } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createPartner,
  createTenant,
  expectError,
  expectValidationIssues,
  MISSING_ID,
  type Tenant,
} from '../../testing/api';

/** The practice owner's side of transfers: naming the partner by slug, and withdrawing a request. */
describe.each(testBackends)('transfer requests by slug, and cancelling them, on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let a: Tenant;
  let b: Tenant;
  let ownerA: Caller;
  let adminA: Caller;
  let practiceAdminA: Caller;
  let ownerB: Caller;

  const requestsUrl = (practiceId: string) => `/v1/practices/${practiceId}/transfer-requests`;
  const cancelUrl = (practiceId: string, id: string) => `${requestsUrl(practiceId)}/${id}/cancel`;
  const file = (caller: Caller, practiceId: string, payload: Record<string, unknown>) =>
    caller.request({ method: 'POST', url: requestsUrl(practiceId), payload });
  const cancel = (caller: Caller, practiceId: string, id: string) =>
    caller.request({ method: 'POST', url: cancelUrl(practiceId, id) });

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    a = await createTenant(admin);
    b = await createTenant(admin);
    ownerA = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    adminA = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    practiceAdminA = await signInAs(t, { role: 'practice_admin', practiceId: a.practice.id });
    ownerB = await signInAs(t, { role: 'practice_owner', practiceId: b.practice.id });
  }, 120_000);
  afterAll(() => t?.close());

  it('names the destination by exactly one of id and slug, and validates the slug', async () => {
    for (const payload of [
      { reason: 'Neither given' },
      { toPartnerId: b.partner.id, toPartnerSlug: b.partner.slug, reason: 'Both given' },
      { toPartnerSlug: '', reason: 'Empty slug' },
      { toPartnerSlug: 'Not A Slug', reason: 'Bad slug' },
      { toPartnerSlug: b.partner.slug, reason: '' },
    ]) {
      const error = expectValidationIssues(await file(ownerA, a.practice.id, payload), JSON.stringify(payload));
      const paths = error.details?.issues?.map((i) => i.path.join('.'));
      expect(paths?.some((p) => p === 'toPartnerSlug' || p === 'reason')).toBe(true);
    }
  });

  it('an unknown or unapproved slug is PARTNER_NOT_FOUND; the own partner is TRANSFER_SAME_PARTNER', async () => {
    const pending = await createPartner(admin, { status: 'pending' });
    const suspended = await createPartner(admin, { status: 'suspended' });
    for (const slug of ['no-such-msp', pending.slug, suspended.slug]) {
      const error = expectError(
        await file(ownerA, a.practice.id, { toPartnerSlug: slug, reason: 'Move' }),
        404,
        'PARTNER_NOT_FOUND',
      );
      expect(error.message).toContain(slug);
    }
    const same = expectError(
      await file(ownerA, a.practice.id, { toPartnerSlug: a.partner.slug, reason: 'Move' }),
      409,
      'TRANSFER_SAME_PARTNER',
    );
    expect(same.message).toContain(a.partner.name);
    // Another practice's owner cannot file for this one, by slug either.
    expectError(await file(ownerB, a.practice.id, { toPartnerSlug: b.partner.slug, reason: 'Mine' }), 404, 'NOT_FOUND');
  });

  let request: PracticeTransfer;
  it('the owner files by slug; the request names the partner by id and is audited', async () => {
    const res = await file(ownerA, a.practice.id, { toPartnerSlug: b.partner.slug, reason: 'Closer support' });
    expect(res.statusCode, res.body).toBe(201);
    request = res.json() as PracticeTransfer;
    expect(request).toMatchObject({
      practiceId: a.practice.id,
      fromPartnerId: a.partner.id,
      toPartnerId: b.partner.id,
      state: 'pending',
      requestedBy: ownerA.userId,
    });
    const [entry] = await auditOf(admin, request.id);
    expect(entry).toMatchObject({ action: 'practice.transfer_request', details: { toPartnerId: b.partner.id } });
  });

  it('only the owner (or a platform operator) cancels, only within the practice', async () => {
    for (const caller of [adminA, practiceAdminA]) {
      expectError(await cancel(caller, a.practice.id, request.id), 403, 'FORBIDDEN');
    }
    expectError(await cancel(t.anonymous, a.practice.id, request.id), 401, 'UNAUTHENTICATED');
    expectError(await cancel(ownerB, a.practice.id, request.id), 404, 'NOT_FOUND');
    // The request addressed under another practice is not found, even for the platform.
    expectError(await cancel(operator, b.practice.id, request.id), 404, 'NOT_FOUND');
    expectError(await cancel(ownerA, a.practice.id, MISSING_ID), 404, 'NOT_FOUND');
    expectValidationIssues(
      await ownerA.request({ method: 'POST', url: `${requestsUrl(a.practice.id)}/not-a-uuid/cancel` }),
    );
  });

  it('the owner cancels a pending request (audited); a cancelled one cannot be decided or cancelled again', async () => {
    const res = await cancel(ownerA, a.practice.id, request.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: request.id, state: 'cancelled', decidedBy: ownerA.userId });
    const [entry] = await auditOf(admin, request.id);
    expect(entry).toMatchObject({
      action: 'practice.transfer_cancel',
      actorId: ownerA.userId,
      details: { practiceId: a.practice.id, fromPartnerId: a.partner.id, toPartnerId: b.partner.id },
    });
    expectError(await cancel(ownerA, a.practice.id, request.id), 409, 'CONFLICT');
    expectError(
      await admin.request({ method: 'POST', url: `/v1/admin/practice-transfers/${request.id}/approve` }),
      409,
      'CONFLICT',
    );
    const listed = await admin.request({ method: 'GET', url: '/v1/admin/practice-transfers?state=cancelled' });
    expect((listed.json() as { items: PracticeTransfer[] }).items.map((r) => r.id)).toContain(request.id);
    const practice = await admin.request({ method: 'GET', url: `/v1/practices/${a.practice.id}` });
    expect(practice.json()).toMatchObject({ partnerId: a.partner.id });
  });

  it('after cancelling, a new request may be filed; a decided one cannot be cancelled', async () => {
    const filed = await file(ownerA, a.practice.id, { toPartnerSlug: b.partner.slug, reason: 'Second thoughts' });
    expect(filed.statusCode, filed.body).toBe(201);
    const next = filed.json() as PracticeTransfer;
    const rejected = await admin.request({
      method: 'POST',
      url: `/v1/admin/practice-transfers/${next.id}/reject`,
      payload: { note: 'Not now' },
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expectError(await cancel(ownerA, a.practice.id, next.id), 409, 'CONFLICT');
    const history = await ownerA.request({ method: 'GET', url: requestsUrl(a.practice.id) });
    expect((history.json() as { items: PracticeTransfer[] }).items.map((r) => r.state)).toEqual([
      'rejected',
      'cancelled',
    ]);
  });
});
