import type { Role, Session, SessionInfo } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type CallerRequest, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, expectError, expectErrorEach, MISSING_ID, newUser, uniqueEmail } from '../../testing/api';

const HOUR = 3600_000;

describe.each(testBackends)('sessions, CSRF and password change on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A new user, signed in. Tests here move the clock by days, so nobody is shared between tests. */
  async function signedIn(role: Role = 'readonly') {
    const user = await newUser(t, role);
    return { ...user, caller: await t.login(user.email, user.password) };
  }

  const loginRequest = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

  /** Sign in over HTTP, keeping the raw cookie and CSRF token (to send requests without the header). */
  async function rawLogin(email: string, password: string) {
    const res = await loginRequest(email, password);
    expect(res.statusCode, res.body).toBe(200);
    const value = res.cookies.find((c) => c.name === 'osiris_session')?.value;
    return { cookie: `osiris_session=${value}`, csrf: (res.json() as SessionInfo).csrfToken };
  }

  const me = (caller: Caller) => caller.request({ method: 'GET', url: '/v1/auth/me' });

  async function ownSessions(caller: Caller): Promise<Session[]> {
    const res = await caller.request({ method: 'GET', url: '/v1/auth/sessions' });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: Session[] }).items;
  }

  describe('expiry', () => {
    it('ends a session left idle for 12 hours', async () => {
      const { caller } = await signedIn();
      t.clock.advance(11 * HOUR);
      expect((await me(caller)).statusCode).toBe(200);
      t.clock.advance(11 * HOUR);
      expect((await me(caller)).statusCode).toBe(200);
      t.clock.advance(12 * HOUR);
      expectError(await me(caller), 401, 'UNAUTHENTICATED');
      // Still gone when the clock does not move.
      expectError(await me(caller), 401, 'UNAUTHENTICATED');
    });

    it('ends a session 7 days after sign-in even when it is used every 11 hours', async () => {
      const { caller } = await signedIn();
      const info = (await me(caller)).json() as SessionInfo;
      const expiresAt = new Date(info.expiresAt).getTime();
      let used = 0;
      while (t.clock.now().getTime() + 11 * HOUR < expiresAt) {
        t.clock.advance(11 * HOUR);
        expect((await me(caller)).statusCode, `after ${(used + 1) * 11} h`).toBe(200);
        used += 1;
      }
      expect(used).toBe(15);
      t.clock.advance(11 * HOUR);
      expectError(await me(caller), 401, 'UNAUTHENTICATED');
    });
  });

  describe('own sessions', () => {
    it('lists own sessions only, marking the current one', async () => {
      const user = await signedIn();
      const second = await t.login(user.email, user.password);
      const other = await signedIn();

      const listed = await ownSessions(user.caller);
      expect(listed).toHaveLength(2);
      expect(listed.every((s) => s.userId === user.id)).toBe(true);
      expect(listed.filter((s) => s.current)).toHaveLength(1);
      const fromSecond = await ownSessions(second);
      const currentId = listed.find((s) => s.current)?.id;
      expect(fromSecond.find((s) => s.current)?.id).not.toBe(currentId);
      expect(new Set(fromSecond.map((s) => s.id))).toEqual(new Set(listed.map((s) => s.id)));
      expect((await ownSessions(other.caller)).map((s) => s.id)).not.toContain(currentId);
      expect(listed[0]).toMatchObject({ ip: '127.0.0.1', userAgent: 'lightMyRequest' });
    });

    it('revokes another of own sessions, but not somebody else’s', async () => {
      const user = await signedIn();
      const second = await t.login(user.email, user.password);
      const secondId = (await ownSessions(second)).find((s) => s.current)?.id;
      if (!secondId) throw new Error('no current session');

      const other = await signedIn();
      const otherId = (await ownSessions(other.caller))[0]?.id;
      expectError(
        await user.caller.request({ method: 'DELETE', url: `/v1/auth/sessions/${otherId}` }),
        404,
        'NOT_FOUND',
      );
      expect((await me(other.caller)).statusCode).toBe(200);

      const res = await user.caller.request({ method: 'DELETE', url: `/v1/auth/sessions/${secondId}` });
      expect(res.statusCode, res.body).toBe(204);
      expectError(await me(second), 401, 'UNAUTHENTICATED');
      expect((await me(user.caller)).statusCode).toBe(200);
      expect((await ownSessions(user.caller)).map((s) => s.id)).not.toContain(secondId);
      expectError(
        await user.caller.request({ method: 'DELETE', url: `/v1/auth/sessions/${secondId}` }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('admin over sessions', () => {
    it('lists a user’s sessions and ends one or all of them', async () => {
      const admin = (await signedIn('admin')).caller;
      const target = await signedIn('operator');
      const another = await t.login(target.email, target.password);
      const third = await t.login(target.email, target.password);

      const listed = await admin.request({ method: 'GET', url: `/v1/admin/users/${target.id}/sessions` });
      expect(listed.statusCode, listed.body).toBe(200);
      const items = (listed.json() as { items: Session[] }).items;
      expect(items).toHaveLength(3);
      expect(items.every((s) => s.userId === target.id && !s.current)).toBe(true);

      const thirdId = (await ownSessions(third)).find((s) => s.current)?.id;
      const one = await admin.request({ method: 'DELETE', url: `/v1/admin/users/${target.id}/sessions/${thirdId}` });
      expect(one.statusCode, one.body).toBe(204);
      expectError(await me(third), 401, 'UNAUTHENTICATED');
      expect((await me(another)).statusCode).toBe(200);

      const all = await admin.request({ method: 'DELETE', url: `/v1/admin/users/${target.id}/sessions` });
      expect(all.statusCode, all.body).toBe(200);
      expect(all.json()).toEqual({ revoked: 2 });
      expectError(await me(target.caller), 401, 'UNAUTHENTICATED');
      expectError(await me(another), 401, 'UNAUTHENTICATED');
      expect((await me(admin)).statusCode).toBe(200);

      const entries = await auditWhere(admin, `action=auth.session_revoke_all&targetId=${target.id}`);
      expect(entries).toHaveLength(1);
      expect(entries[0]?.details).toMatchObject({ revoked: 2 });
    });

    it('refuses non-admins and unknown users', async () => {
      const admin = (await signedIn('admin')).caller;
      const operator = await signedIn('operator');
      const own = `/v1/admin/users/${operator.id}/sessions`;
      const missing = `/v1/admin/users/${MISSING_ID}/sessions`;
      const getAndDelete = (url: string): CallerRequest[] => [
        { method: 'GET', url },
        { method: 'DELETE', url },
      ];
      await expectErrorEach(operator.caller, getAndDelete(own), 403, 'FORBIDDEN');
      await expectErrorEach(admin, getAndDelete(missing), 404, 'NOT_FOUND');
    });
  });

  describe('CSRF', () => {
    it('refuses cookie-authenticated mutations without the session’s token, changes nothing, audits each', async () => {
      const adminUser = await signedIn('admin');
      const admin = adminUser.caller;
      const raw = await rawLogin(adminUser.email, adminUser.password);
      const target = await signedIn('readonly');
      const inviteEmail = uniqueEmail('csrf-invite');

      // Reads need no token.
      const read = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: raw.cookie } });
      expect(read.statusCode).toBe(200);

      // POST with no header at all.
      const post = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/invitations',
        payload: { email: inviteEmail, role: 'operator' },
        headers: { cookie: raw.cookie },
      });
      expectError(post, 403, 'CSRF_FAILED');
      // PATCH with a wrong token.
      const patch = await admin.request({
        method: 'PATCH',
        url: `/v1/admin/users/${target.id}`,
        payload: { name: 'Changed By CSRF', role: 'admin' },
        headers: { 'x-csrf-token': 'wrong' },
      });
      expectError(patch, 403, 'CSRF_FAILED');
      // DELETE with the token of another session of the same user.
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/v1/admin/users/${target.id}/sessions`,
        headers: { cookie: raw.cookie, 'x-csrf-token': ((await me(admin)).json() as SessionInfo).csrfToken },
      });
      expectError(del, 403, 'CSRF_FAILED');
      // Logout without the header does not sign out.
      const logout = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: raw.cookie } });
      expectError(logout, 403, 'CSRF_FAILED');

      const invitations = await admin.request({ method: 'GET', url: `/v1/admin/invitations?q=${inviteEmail}` });
      expect(invitations.json().items).toEqual([]);
      const user = await admin.request({ method: 'GET', url: `/v1/admin/users/${target.id}` });
      expect(user.json()).toMatchObject({ name: 'Test readonly', role: 'readonly' });
      expect((await me(target.caller)).statusCode).toBe(200);
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: raw.cookie } })).statusCode,
      ).toBe(200);

      const entries = await auditWhere(admin, `action=security.csrf_failed&actorId=${adminUser.id}`);
      expect(entries).toHaveLength(4);
      expect(entries.every((e) => e.outcome === 'denied')).toBe(true);
      expect(entries.map((e) => e.details.method).sort()).toEqual(['DELETE', 'PATCH', 'POST', 'POST']);

      // With the right token the same change goes through.
      const ok = await t.app.inject({
        method: 'PATCH',
        url: `/v1/admin/users/${target.id}`,
        payload: { name: 'Renamed Properly' },
        headers: { cookie: raw.cookie, 'x-csrf-token': raw.csrf },
      });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().name).toBe('Renamed Properly');
    });
  });

  describe('password change', () => {
    it('refuses short, common and email-based passwords and a wrong current password', async () => {
      const user = await signedIn();
      const change = (currentPassword: string, newPassword: string) =>
        user.caller.request({ method: 'POST', url: '/v1/auth/password', payload: { currentPassword, newPassword } });

      const short = expectError(await change(user.password, 'short-pw1'), 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(short)).toContain('newPassword');
      for (const common of ['Password2024!!', 'qwerty123456']) {
        const error = expectError(await change(user.password, common), 400, 'VALIDATION_FAILED');
        expect(error.message, common).toMatch(/common/i);
      }
      const local = user.email.split('@')[0] ?? '';
      expect(expectError(await change(user.password, `x${local}x!`), 400, 'VALIDATION_FAILED').message).toMatch(
        /email/i,
      );
      expectError(await change('not-my-password', 'a-Perfectly-Fine-pass-9'), 400, 'VALIDATION_FAILED');

      // None of that changed the password.
      expect((await loginRequest(user.email, user.password)).statusCode).toBe(200);
    });

    it('changes the password, ends other sessions, keeps this one', async () => {
      const user = await signedIn();
      const other = await t.login(user.email, user.password);
      const next = 'a-Perfectly-Fine-pass-9';

      const res = await user.caller.request({
        method: 'POST',
        url: '/v1/auth/password',
        payload: { currentPassword: user.password, newPassword: next },
      });
      expect(res.statusCode, res.body).toBe(204);
      expect((await me(user.caller)).statusCode).toBe(200);
      expectError(await me(other), 401, 'UNAUTHENTICATED');
      expect(await ownSessions(user.caller)).toHaveLength(1);

      expectError(await loginRequest(user.email, user.password), 401, 'INVALID_CREDENTIALS');
      const fresh = await t.login(user.email, next);
      expect((await me(fresh)).statusCode).toBe(200);

      const admin = (await signedIn('admin')).caller;
      const entries = await auditWhere(admin, `action=auth.password_change&targetId=${user.id}`);
      expect(entries).toHaveLength(1);
      expect(entries[0]?.details).toMatchObject({ otherSessionsRevoked: 1 });
    });
  });
});
