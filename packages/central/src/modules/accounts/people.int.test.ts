import type { Member, MemberInvitation } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, auditWhere, createTenant, expectError, type Tenant } from '../../testing/api';
import { signInAs } from '../../testing/principals';

describe.each(testBackends)('partner and practice people on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let partnerAdmin: Caller;
  let owner: Caller;

  const members = async (caller: Caller, path: string): Promise<Member[]> => {
    const res = await caller.request({ method: 'GET', url: path });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };
  const outbox = () => t.database.db.selectFrom('email_outbox').select(['to_address', 'template']).execute();

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    partnerAdmin = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    owner = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
  });
  afterAll(() => t.close());

  it('lets a partner admin invite partner people, and never remove the last partner admin', async () => {
    const url = `/v1/partners/${a.partner.id}/invitations`;
    const res = await partnerAdmin.request({
      method: 'POST',
      url,
      payload: { email: 'tech@msp-a.example', role: 'technician' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json() as MemberInvitation).toMatchObject({ role: 'technician', partnerId: a.partner.id });
    expect(await outbox()).toContainEqual({ to_address: 'tech@msp-a.example', template: 'invitation' });
    expectError(
      await partnerAdmin.request({ method: 'POST', url, payload: { email: 'tech@msp-a.example', role: 'technician' } }),
      409,
      'CONFLICT',
    );
    // Partner B's admin cannot touch partner A.
    const other = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    expectError(
      await other.request({ method: 'POST', url, payload: { email: 'x@msp-b.example', role: 'technician' } }),
      404,
      'NOT_FOUND',
    );
    const technician = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    expectError(
      await technician.request({ method: 'POST', url, payload: { email: 'y@msp-a.example', role: 'technician' } }),
      403,
      'FORBIDDEN',
    );

    const people = await members(partnerAdmin, `/v1/partners/${a.partner.id}/members`);
    const self = people.find((m) => m.id === partnerAdmin.userId);
    expect(self?.role).toBe('partner_admin');
    // The only partner admin cannot be demoted or removed (by platform staff either).
    expectError(
      await admin.request({
        method: 'PATCH',
        url: `/v1/partners/${a.partner.id}/members/${partnerAdmin.userId}`,
        payload: { role: 'technician' },
      }),
      409,
      'CONFLICT',
    );
    const promoted = await partnerAdmin.request({
      method: 'PATCH',
      url: `/v1/partners/${a.partner.id}/members/${technician.userId}`,
      payload: { role: 'partner_admin' },
    });
    expect(promoted.json()).toMatchObject({ role: 'partner_admin' });
    // A role change ends the changed person's sessions.
    expectError(await technician.request({ method: 'GET', url: '/v1/auth/me' }), 401, 'UNAUTHENTICATED');
    const removed = await partnerAdmin.request({
      method: 'DELETE',
      url: `/v1/partners/${a.partner.id}/members/${technician.userId}`,
    });
    expect(removed.statusCode).toBe(204);
    expect((await auditOf(admin, String(technician.userId))).map((e) => e.action).sort()).toEqual([
      'member.remove',
      'member.update',
    ]);
  });

  it('keeps owner > admin > viewer: invite, change and remove only below your role; the owner only by transfer', async () => {
    const base = `/v1/practices/${a.practice.id}`;
    // The practice has an owner, so nobody can invite another one.
    expectError(
      await partnerAdmin.request({
        method: 'POST',
        url: `${base}/invitations`,
        payload: { email: 'o2@clinic.example', role: 'practice_owner' },
      }),
      409,
      'CONFLICT',
    );
    const practiceAdmin = await signInAs(t, { role: 'practice_admin', practiceId: a.practice.id });
    expectError(
      await practiceAdmin.request({
        method: 'POST',
        url: `${base}/invitations`,
        payload: { email: 'a2@clinic.example', role: 'practice_admin' },
      }),
      403,
      'FORBIDDEN',
    );
    const invited = await practiceAdmin.request({
      method: 'POST',
      url: `${base}/invitations`,
      payload: { email: 'viewer@clinic.example', role: 'practice_viewer' },
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const viewer = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    expectError(
      await viewer.request({
        method: 'POST',
        url: `${base}/invitations`,
        payload: { email: 'v2@clinic.example', role: 'practice_viewer' },
      }),
      403,
      'FORBIDDEN',
    );
    // An admin cannot promote a viewer to admin (not below their own role); the owner can.
    expectError(
      await practiceAdmin.request({
        method: 'PATCH',
        url: `${base}/members/${viewer.userId}`,
        payload: { role: 'practice_admin' },
      }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await practiceAdmin.request({ method: 'DELETE', url: `${base}/members/${owner.userId}` }),
      409,
      'CONFLICT',
    );
    expectError(await owner.request({ method: 'DELETE', url: `${base}/members/${owner.userId}` }), 409, 'CONFLICT');
    // Another practice's owner sees nothing here.
    const ownerB = await signInAs(t, { role: 'practice_owner', practiceId: b.practice.id });
    expectError(await ownerB.request({ method: 'GET', url: `${base}/members` }), 404, 'NOT_FOUND');

    // Ownership moves by transfer: the old owner becomes an admin.
    const transferred = await owner.request({
      method: 'POST',
      url: `${base}/ownership`,
      payload: { userId: practiceAdmin.userId },
    });
    expect(transferred.statusCode, transferred.body).toBe(200);
    const roles = Object.fromEntries((await members(admin, `${base}/members`)).map((m) => [m.id, m.role]));
    expect(roles[String(practiceAdmin.userId)]).toBe('practice_owner');
    expect(roles[String(owner.userId)]).toBe('practice_admin');
    expect((await auditWhere(admin, `action=practice.ownership_transfer&targetId=${a.practice.id}`)).length).toBe(1);
    // A viewer is removed by an owner; the removed viewer's session stops working at once.
    expect((await viewer.request({ method: 'GET', url: '/v1/auth/me' })).statusCode).toBe(200);
    const gone = await practiceAdmin.request({ method: 'DELETE', url: `${base}/members/${viewer.userId}` });
    expect(gone.statusCode).toBe(204);
    expectError(await viewer.request({ method: 'GET', url: `/v1/sites/${a.site.id}` }), 401, 'UNAUTHENTICATED');
  });

  it('grants auditors a window of at most a year and ends it on revocation', async () => {
    const base = `/v1/practices/${b.practice.id}/auditors`;
    const ownerB = await signInAs(t, { role: 'practice_admin', practiceId: b.practice.id });
    const at = t.clock.now().getTime();
    const body = (days: number) => ({
      email: `auditor-${days}@cpa.example`,
      name: 'Ada Auditor',
      validUntil: new Date(at + days * 86_400_000).toISOString(),
    });
    expectError(await ownerB.request({ method: 'POST', url: base, payload: body(30) }), 403, 'FORBIDDEN');
    const partnerB = await signInAs(t, { role: 'technician', partnerId: b.partner.id });
    expectError(await partnerB.request({ method: 'POST', url: base, payload: body(400) }), 400, 'BAD_REQUEST');
    expectError(
      await partnerB.request({ method: 'POST', url: base, payload: { ...body(30), validUntil: 'soon' } }),
      400,
      'VALIDATION_FAILED',
    );
    const granted = await partnerB.request({ method: 'POST', url: base, payload: body(30) });
    expect(granted.statusCode, granted.body).toBe(201);
    const auditor = granted.json() as Member;
    expect(auditor).toMatchObject({ role: 'auditor', email: 'auditor-30@cpa.example' });
    expect(Date.parse(String(auditor.accessExpiresAt))).toBe(at + 30 * 86_400_000);
    expect(await outbox()).toContainEqual({ to_address: 'auditor-30@cpa.example', template: 'auditor_invitation' });
    expect((await members(partnerB, base)).map((m) => m.id)).toEqual([auditor.id]);
    const revoked = await partnerB.request({ method: 'DELETE', url: `${base}/${auditor.id}` });
    expect(revoked.statusCode).toBe(204);
    expect(await members(partnerB, base)).toEqual([]);
  });

  it('refuses forged, used and expired invitation links with their own codes, audited', async () => {
    const c = await createTenant(admin);
    const invite = async (address: string) => {
      const res = await admin.request({
        method: 'POST',
        url: `/v1/practices/${c.practice.id}/invitations`,
        payload: { email: address, role: 'practice_viewer', expiresInHours: 1 },
      });
      expect(res.statusCode, res.body).toBe(201);
      // Mail is queued (no SMTP server here): read the link from the queued body.
      const row = await t.database.db
        .selectFrom('email_outbox')
        .select('text_body')
        .where('to_address', '=', address)
        .executeTakeFirstOrThrow();
      return /#token=([A-Za-z0-9_-]+)/.exec(String(row.text_body))?.[1] ?? '';
    };
    const accept = (token: string) =>
      t.anonymous.request({
        method: 'POST',
        url: '/v1/auth/invitations/accept-link',
        payload: { token, name: 'Viewer C' },
      });
    expectError(await accept('forged-token-that-is-long-enough-0000'), 401, 'LINK_INVALID');
    const token = await invite('viewer-c@clinic.example');
    const accepted = await accept(token);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().user).toMatchObject({ role: 'practice_viewer', practiceId: c.practice.id });
    expectError(await accept(token), 401, 'LINK_USED');
    const late = await invite('late-c@clinic.example');
    t.clock.advance(2 * 3600_000);
    expectError(await accept(late), 401, 'LINK_EXPIRED');
    const reasons = (await auditWhere(admin, 'action=invitation.accept_failed&limit=50')).map(
      (e) => (e.details as { reason?: string }).reason,
    );
    expect(reasons).toEqual(expect.arrayContaining(['LINK_INVALID', 'LINK_USED', 'LINK_EXPIRED']));
  });
});
