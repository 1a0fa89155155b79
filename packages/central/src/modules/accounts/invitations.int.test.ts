import { randomBytes } from 'node:crypto';
import type { Invitation, Role, SessionInfo, User } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createOk, expectError, newPassword, uniqueEmail } from '../../testing/api';

interface Created {
  invitation: Invitation;
  token: string;
  acceptUrl: string;
}

const HOUR = 3600_000;

describe.each(testBackends)('invitations on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let tag = '';
  /** Emails carry a per-run tag so list filters can pick out this test's invitations. */
  const email = (label = 'inv') => uniqueEmail(`${label}-${tag}`);

  beforeAll(async () => {
    t = await startTestApp(backend, { PUBLIC_URL: 'https://central.example.com/' });
    admin = await t.loginAs('admin');
    tag = randomBytes(4).toString('hex');
  });
  afterAll(async () => {
    await t?.close();
  });

  const invite = (address: string, role: Role = 'operator', extra: Record<string, unknown> = {}) =>
    createOk<Created>(admin, '/v1/admin/invitations', { email: address, role, ...extra });

  const accept = (token: string, password = newPassword(), name = 'New Person') =>
    t.anonymous.request({ method: 'POST', url: '/v1/auth/invitations/accept', payload: { token, name, password } });

  async function listIds(query: string): Promise<string[]> {
    const res = await admin.request({ method: 'GET', url: `/v1/admin/invitations?limit=200&${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: Invitation[] }).items.map((i) => i.id);
  }

  it('creates an invitation whose token travels only in the URL fragment', async () => {
    const address = email();
    const created = await invite(address, 'readonly');
    expect(created.invitation).toMatchObject({
      email: address,
      role: 'readonly',
      invitedBy: admin.userId,
      acceptedAt: null,
      revokedAt: null,
    });
    const lifetime =
      new Date(created.invitation.expiresAt).getTime() - new Date(created.invitation.createdAt).getTime();
    expect(lifetime).toBe(72 * HOUR);
    expect(created.token.length).toBeGreaterThanOrEqual(32);
    const url = new URL(created.acceptUrl);
    expect(url.origin).toBe('https://central.example.com');
    expect(url.pathname).toBe('/accept-invitation');
    expect(url.search).toBe('');
    expect(url.hash).toBe(`#token=${created.token}`);

    // Only shown once: listing the invitation does not reveal it.
    const listed = await admin.request({ method: 'GET', url: `/v1/admin/invitations?q=${address}` });
    expect(listed.json().items).toHaveLength(1);
    expect(listed.body).not.toContain(created.token);

    const entries = await admin.request({
      method: 'GET',
      url: `/v1/admin/audit?action=invitation.create&targetId=${created.invitation.id}`,
    });
    expect(entries.json().items).toHaveLength(1);
    expect(JSON.stringify(entries.json())).not.toContain(created.token);
  });

  it('accepting creates a user with the invited role who can sign in; the token then stops working', async () => {
    const address = email();
    const { token, invitation } = await invite(address, 'operator');
    const password = newPassword();
    const res = await accept(token, password, '  Olivia Operator ');
    expect(res.statusCode, res.body).toBe(201);
    const user = res.json() as User;
    expect(user).toMatchObject({
      email: address,
      name: 'Olivia Operator',
      role: 'operator',
      status: 'active',
      totpEnabled: false,
    });

    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: address, password } });
    expect(login.statusCode, login.body).toBe(200);
    expect((login.json() as SessionInfo).user).toMatchObject({ id: user.id, role: 'operator' });

    expectError(await accept(token), 404, 'NOT_FOUND');
    const listed = await admin.request({ method: 'GET', url: `/v1/admin/invitations?q=${address}` });
    expect(listed.json().items[0]).toMatchObject({ id: invitation.id, acceptedAt: expect.any(String) });
    const audit = await auditWhere(admin, `action=invitation.accept&targetId=${user.id}`);
    expect(audit[0]).toMatchObject({
      actorId: user.id,
      details: { invitationId: invitation.id, role: 'operator' },
    });
  });

  it('lets exactly one of two simultaneous accepts of one token succeed', async () => {
    const address = email();
    const { token } = await invite(address, 'readonly');
    const results = await Promise.all([accept(token), accept(token)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 404]);
    const users = await admin.request({ method: 'GET', url: `/v1/admin/users?q=${address}` });
    expect(users.json().items).toHaveLength(1);
  });

  it('refuses an expired invitation', async () => {
    const address = email();
    const { token, invitation } = await invite(address, 'readonly', { expiresInHours: 1 });
    expect(new Date(invitation.expiresAt).getTime() - new Date(invitation.createdAt).getTime()).toBe(HOUR);
    t.clock.advance(HOUR + 1000);
    expectError(await accept(token), 404, 'NOT_FOUND');
    expect(await listIds('state=expired')).toContain(invitation.id);
    expect(await listIds('state=pending')).not.toContain(invitation.id);
    // An expired invitation does not block a new one for the same email.
    const again = await invite(address, 'readonly');
    expect((await accept(again.token)).statusCode).toBe(201);
  });

  it('refuses a revoked invitation; revoking twice conflicts', async () => {
    const address = email();
    const { token, invitation } = await invite(address);
    const revoked = await admin.request({ method: 'DELETE', url: `/v1/admin/invitations/${invitation.id}` });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ id: invitation.id, revokedAt: expect.any(String) });
    expectError(await accept(token), 404, 'NOT_FOUND');
    expectError(
      await admin.request({ method: 'DELETE', url: `/v1/admin/invitations/${invitation.id}` }),
      409,
      'CONFLICT',
    );
    const failed = await auditWhere(admin, `action=invitation.accept_failed&targetId=${invitation.id}`);
    expect(failed.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unknown token the same way as a used one', async () => {
    const error = expectError(await accept(randomBytes(32).toString('base64url')), 404, 'NOT_FOUND');
    expect(error.message).toMatch(/invalid, used, revoked or expired/);
  });

  it('refuses a second pending invitation for the same email until the first is revoked', async () => {
    const address = email();
    const first = await invite(address);
    const dup = await admin.request({
      method: 'POST',
      url: '/v1/admin/invitations',
      payload: { email: address.toUpperCase(), role: 'admin' },
    });
    expectError(dup, 409, 'CONFLICT');
    await admin.request({ method: 'DELETE', url: `/v1/admin/invitations/${first.invitation.id}` });
    const second = await invite(address, 'admin');
    expect(second.invitation.role).toBe('admin');
  });

  it('refuses to invite the email of an existing user', async () => {
    const existing = email('existing');
    await t.createUser('readonly', existing, newPassword());
    const res = await admin.request({
      method: 'POST',
      url: '/v1/admin/invitations',
      payload: { email: existing, role: 'operator' },
    });
    expectError(res, 409, 'CONFLICT');
    expect(await listIds(`q=${existing}&state=pending`)).toEqual([]);
  });

  it('refuses a common password at accept and keeps the invitation usable', async () => {
    const address = email();
    const { token } = await invite(address, 'readonly');
    const weak = expectError(await accept(token, 'Password2024!!'), 400, 'VALIDATION_FAILED');
    expect(weak.message).toMatch(/common/i);
    expectError(await accept(token, 'short'), 400, 'VALIDATION_FAILED');
    const res = await accept(token);
    expect(res.statusCode, res.body).toBe(201);
  });

  it('validates the request: lifetime bounds, role, unknown fields', async () => {
    for (const payload of [
      { email: email(), role: 'operator', expiresInHours: 0 },
      { email: email(), role: 'operator', expiresInHours: 24 * 14 + 1 },
      { email: email(), role: 'owner' },
      { email: 'not-an-email', role: 'operator' },
      { email: email(), role: 'operator', token: 'chosen-by-me' },
    ]) {
      const res = await admin.request({ method: 'POST', url: '/v1/admin/invitations', payload });
      expectError(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('lists invitations by state', async () => {
    const pending = await invite(email('state'));
    const accepted = await invite(email('state'));
    expect((await accept(accepted.token)).statusCode).toBe(201);
    const revoked = await invite(email('state'));
    await admin.request({ method: 'DELETE', url: `/v1/admin/invitations/${revoked.invitation.id}` });
    const expiring = await invite(email('state'), 'operator', { expiresInHours: 1 });
    t.clock.advance(HOUR + 1000);

    const q = `q=${tag}`;
    const ids = {
      pending: pending.invitation.id,
      accepted: accepted.invitation.id,
      revoked: revoked.invitation.id,
      expired: expiring.invitation.id,
    };
    const all = await listIds(q);
    for (const id of Object.values(ids)) expect(all).toContain(id);
    for (const [state, id] of Object.entries(ids)) {
      const listed = (await listIds(`${q}&state=${state}`)).filter((x) => Object.values(ids).includes(x));
      expect(listed, state).toEqual([id]);
    }
    expectError(
      await admin.request({ method: 'GET', url: '/v1/admin/invitations?state=lost' }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('is for admins only', async () => {
    const operator = await t.loginAs('operator');
    const readonly = await t.loginAs('readonly');
    for (const caller of [operator, readonly]) {
      expectError(
        await caller.request({
          method: 'POST',
          url: '/v1/admin/invitations',
          payload: { email: email(), role: 'admin' },
        }),
        403,
        'FORBIDDEN',
      );
      expectError(await caller.request({ method: 'GET', url: '/v1/admin/invitations' }), 403, 'FORBIDDEN');
    }
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/admin/invitations' }), 401, 'UNAUTHENTICATED');
  });
});
