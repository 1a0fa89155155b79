import type { MemberInvitation } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createTenant,
  expectError,
  expectValidationIssues,
  MISSING_ID,
  type Tenant,
  uniqueEmail,
} from '../../testing/api';

describe.each(testBackends)('pending invitations of partners and practices on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let readonly: Caller;
  let a: Tenant;
  let b: Tenant;
  let partnerAdminA: Caller;
  let technicianA: Caller;
  let partnerAdminB: Caller;
  let ownerA: Caller;
  let practiceAdminA: Caller;
  let viewerA: Caller;
  let ownerB: Caller;

  const partnerUrl = (partnerId: string) => `/v1/partners/${partnerId}/invitations`;
  const practiceUrl = (practiceId: string) => `/v1/practices/${practiceId}/invitations`;
  const invite = async (caller: Caller, url: string, role: string): Promise<MemberInvitation> => {
    const res = await caller.request({ method: 'POST', url, payload: { email: uniqueEmail('inv'), role } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as MemberInvitation;
  };
  const pendingIds = async (caller: Caller, url: string): Promise<string[]> => {
    const res = await caller.request({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: MemberInvitation[] }).items.map((i) => i.id);
  };
  const revoke = (caller: Caller, url: string, id: string) => caller.request({ method: 'DELETE', url: `${url}/${id}` });

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    readonly = await t.loginAs('readonly');
    a = await createTenant(admin);
    b = await createTenant(admin);
    partnerAdminA = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    technicianA = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    partnerAdminB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    ownerA = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    practiceAdminA = await signInAs(t, { role: 'practice_admin', practiceId: a.practice.id });
    viewerA = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    ownerB = await signInAs(t, { role: 'practice_owner', practiceId: b.practice.id });
  }, 120_000);
  afterAll(() => t?.close());

  it('refuses anonymous callers on every route', async () => {
    for (const url of [partnerUrl(a.partner.id), practiceUrl(a.practice.id)]) {
      expectError(await t.anonymous.request({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
      expectError(await revoke(t.anonymous, url, MISSING_ID), 401, 'UNAUTHENTICATED');
    }
  });

  it('lists only pending partner invitations, with who sent them, to its admins and platform staff', async () => {
    const url = partnerUrl(a.partner.id);
    const sent = await invite(partnerAdminA, url, 'technician');
    const expired = await invite(partnerAdminA, url, 'technician');
    const accepted = await invite(partnerAdminA, url, 'partner_admin');
    const past = new Date(t.clock.now().getTime() - 60_000);
    await t.database.db.updateTable('invitations').set({ expires_at: past }).where('id', '=', expired.id).execute();
    await t.database.db.updateTable('invitations').set({ accepted_at: past }).where('id', '=', accepted.id).execute();
    const other = await invite(partnerAdminB, partnerUrl(b.partner.id), 'technician');

    const res = await partnerAdminA.request({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    const items = (res.json() as { items: MemberInvitation[] }).items;
    expect(items.map((i) => i.id)).toEqual([sent.id]);
    expect(items[0]).toMatchObject({
      email: sent.email,
      role: 'technician',
      partnerId: a.partner.id,
      practiceId: null,
      invitedBy: partnerAdminA.userId,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(await pendingIds(readonly, url)).toEqual([sent.id]);
    expect(await pendingIds(partnerAdminB, partnerUrl(b.partner.id))).toEqual([other.id]);
    expectError(await partnerAdminB.request({ method: 'GET', url }), 404, 'NOT_FOUND');
    expectError(await technicianA.request({ method: 'GET', url }), 403, 'FORBIDDEN');
    expectError(await ownerA.request({ method: 'GET', url }), 403, 'FORBIDDEN');
  });

  it("a partner admin revokes a pending invitation (audited); another tenant's is 404; twice is 409", async () => {
    const url = partnerUrl(a.partner.id);
    const target = await invite(partnerAdminA, url, 'technician');
    const otherTenant = await invite(partnerAdminB, partnerUrl(b.partner.id), 'technician');
    expectError(await revoke(partnerAdminB, url, target.id), 404, 'NOT_FOUND');
    expectError(await revoke(partnerAdminA, url, otherTenant.id), 404, 'NOT_FOUND');
    expectError(await revoke(partnerAdminA, url, MISSING_ID), 404, 'NOT_FOUND');
    expectError(await revoke(technicianA, url, target.id), 403, 'FORBIDDEN');
    expectError(await revoke(readonly, url, target.id), 403, 'FORBIDDEN');
    expectValidationIssues(await revoke(partnerAdminA, url, 'not-a-uuid'));

    const res = await revoke(partnerAdminA, url, target.id);
    expect(res.statusCode, res.body).toBe(204);
    expect(await pendingIds(partnerAdminA, url)).not.toContain(target.id);
    expect(await pendingIds(partnerAdminB, partnerUrl(b.partner.id))).toContain(otherTenant.id);
    const [entry] = await auditOf(admin, target.id);
    expect(entry).toMatchObject({
      action: 'invitation.revoke',
      actorId: partnerAdminA.userId,
      details: { email: target.email, role: 'technician', partnerId: a.partner.id, practiceId: null },
    });
    expectError(await revoke(partnerAdminA, url, target.id), 409, 'CONFLICT');
    // The address may be invited again once the invitation is revoked.
    const again = await partnerAdminA.request({
      method: 'POST',
      url,
      payload: { email: target.email, role: 'technician' },
    });
    expect(again.statusCode, again.body).toBe(201);
  });

  it("lists a practice's pending invitations to its owner and admins and its partner's staff", async () => {
    const url = practiceUrl(a.practice.id);
    const sent = await invite(ownerA, url, 'practice_admin');
    const otherPractice = await invite(ownerB, practiceUrl(b.practice.id), 'practice_viewer');
    for (const caller of [ownerA, practiceAdminA, partnerAdminA, technicianA, readonly]) {
      const ids = await pendingIds(caller, url);
      expect(ids).toContain(sent.id);
      expect(ids).not.toContain(otherPractice.id);
    }
    expectError(await viewerA.request({ method: 'GET', url }), 403, 'FORBIDDEN');
    for (const caller of [ownerB, partnerAdminB]) {
      expectError(await caller.request({ method: 'GET', url }), 404, 'NOT_FOUND');
    }
    // An invitation is listed under its own practice only, never under the partner.
    expect(await pendingIds(partnerAdminA, partnerUrl(a.partner.id))).not.toContain(sent.id);
  });

  it('practice people revoke only invitations to roles below their own; another tenant gets 404', async () => {
    const url = practiceUrl(a.practice.id);
    const adminInvite = await invite(ownerA, url, 'practice_admin');
    const viewerInvite = await invite(practiceAdminA, url, 'practice_viewer');
    const otherPractice = await invite(ownerB, practiceUrl(b.practice.id), 'practice_viewer');

    expectError(await revoke(viewerA, url, viewerInvite.id), 403, 'FORBIDDEN');
    expectError(await revoke(practiceAdminA, url, adminInvite.id), 403, 'FORBIDDEN');
    expectError(await revoke(ownerA, url, otherPractice.id), 404, 'NOT_FOUND');
    expectError(await revoke(ownerB, url, viewerInvite.id), 404, 'NOT_FOUND');
    expectError(await revoke(partnerAdminB, url, viewerInvite.id), 404, 'NOT_FOUND');

    expect((await revoke(practiceAdminA, url, viewerInvite.id)).statusCode).toBe(204);
    expect((await revoke(ownerA, url, adminInvite.id)).statusCode).toBe(204);
    const pending = await pendingIds(ownerA, url);
    expect(pending).not.toContain(viewerInvite.id);
    expect(pending).not.toContain(adminInvite.id);
    const [entry] = await auditOf(admin, viewerInvite.id);
    expect(entry).toMatchObject({
      action: 'invitation.revoke',
      actorId: practiceAdminA.userId,
      details: { practiceId: a.practice.id, role: 'practice_viewer' },
    });
    // The partner's technician manages the practice's people too.
    const byPartner = await invite(ownerA, url, 'practice_viewer');
    expect((await revoke(technicianA, url, byPartner.id)).statusCode).toBe(204);
  });

  it('the platform admin still revokes any invitation from the admin route, audited the same way', async () => {
    const sent = await invite(partnerAdminA, partnerUrl(a.partner.id), 'technician');
    const res = await admin.request({ method: 'DELETE', url: `/v1/admin/invitations/${sent.id}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: sent.id, revokedAt: expect.any(String) });
    const [entry] = await auditOf(admin, sent.id);
    expect(entry).toMatchObject({ action: 'invitation.revoke', actorId: admin.userId });
    expectError(await revoke(partnerAdminA, partnerUrl(a.partner.id), sent.id), 409, 'CONFLICT');
  });
});
