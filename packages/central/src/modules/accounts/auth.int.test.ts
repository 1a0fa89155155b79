import type { SessionInfo } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../platform/context';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, expectError, newUser, type TestResponse, uniqueEmail } from '../../testing/api';
import { totpCode, totpStep } from './totp';

function sessionCookie(res: TestResponse) {
  const cookie = res.cookies.find((c) => c.name === 'osiris_session');
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return cookie;
}

function rawSetCookie(res: TestResponse): string {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : [header ?? ''];
  const found = all.find((c) => c.startsWith('osiris_session='));
  if (!found) throw new Error('no osiris_session Set-Cookie header');
  return found;
}

describe.each(testBackends)('sign-in and sign-out on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  const loginRequest = (email: string, password: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, headers });

  const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });

  it('sets an HttpOnly, SameSite=Strict, Path=/ session cookie without Secure on a loopback host', async () => {
    const user = await newUser(t);
    const res = await loginRequest(user.email, user.password);
    expect(res.statusCode, res.body).toBe(200);

    const cookie = sessionCookie(res);
    expect(cookie.value.length).toBeGreaterThanOrEqual(32);
    expect(cookie).toMatchObject({ httpOnly: true, path: '/' });
    expect(String(cookie.sameSite).toLowerCase()).toBe('strict');
    expect(cookie.secure).toBeFalsy();
    const raw = rawSetCookie(res);
    expect(raw).toMatch(/;\s*HttpOnly/i);
    expect(raw).toMatch(/;\s*SameSite=Strict/i);
    expect(raw).toMatch(/;\s*Path=\/(;|$)/);
    expect(raw).not.toMatch(/;\s*Secure/i);

    const body = res.json() as SessionInfo;
    expect(body.user).toMatchObject({
      id: user.id,
      email: user.email,
      role: 'readonly',
      status: 'active',
      totpEnabled: false,
    });
    expect(body.user.lastLoginAt).not.toBeNull();
    expect(Object.keys(body.user).sort()).toEqual(
      [
        'accessExpiresAt',
        'createdAt',
        'email',
        'id',
        'lastLoginAt',
        'lockedUntil',
        'name',
        'partnerId',
        'practiceId',
        'role',
        'status',
        'totpEnabled',
        'updatedAt',
      ].sort(),
    );
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(32);
    const expiresIn = new Date(body.expiresAt).getTime() - t.clock.now().getTime();
    expect(expiresIn).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 24 * 3600_000);

    const who = await me(`osiris_session=${cookie.value}`);
    expect(who.statusCode, who.body).toBe(200);
    expect(who.json()).toMatchObject({ user: { id: user.id, email: user.email }, csrfToken: body.csrfToken });
  });

  it('marks the cookie Secure when the request came to a non-loopback host', async () => {
    const user = await newUser(t);
    const remote = await loginRequest(user.email, user.password, { host: 'central.example.com' });
    expect(remote.statusCode, remote.body).toBe(200);
    expect(sessionCookie(remote).secure).toBe(true);
    expect(rawSetCookie(remote)).toMatch(/;\s*Secure/i);

    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) {
      const loopback = await loginRequest(user.email, user.password, { host });
      expect(loopback.statusCode, loopback.body).toBe(200);
      expect(sessionCookie(loopback).secure, host).toBeFalsy();
    }
    // A name that merely starts like a loopback one is not loopback.
    const lookalike = await loginRequest(user.email, user.password, { host: 'localhost.example.com' });
    expect(sessionCookie(lookalike).secure).toBe(true);
  });

  it('signs in regardless of the case of the email', async () => {
    const user = await newUser(t);
    const res = await loginRequest(user.email.toUpperCase(), user.password);
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as SessionInfo).user.id).toBe(user.id);
  });

  it('issues a new session at each sign-in and ends the one whose cookie was sent along', async () => {
    const user = await newUser(t);
    const first = sessionCookie(await loginRequest(user.email, user.password)).value;
    const again = await loginRequest(user.email, user.password, { cookie: `osiris_session=${first}` });
    expect(again.statusCode, again.body).toBe(200);
    const second = sessionCookie(again).value;
    expect(second).not.toBe(first);

    expectError(await me(`osiris_session=${first}`), 401, 'UNAUTHENTICATED');
    expect((await me(`osiris_session=${second}`)).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const user = await newUser(t);
    const wrong = await loginRequest(user.email, 'not-the-password-at-all');
    const unknown = await loginRequest(uniqueEmail('nobody'), 'not-the-password-at-all');
    const a = expectError(wrong, 401, 'INVALID_CREDENTIALS');
    const b = expectError(unknown, 401, 'INVALID_CREDENTIALS');
    expect(a.message).toBe(b.message);
    expect(wrong.cookies.find((c) => c.name === 'osiris_session')).toBeUndefined();
    expect(unknown.cookies.find((c) => c.name === 'osiris_session')).toBeUndefined();

    const failures = await auditWhere(admin, `action=auth.login_failed&targetId=${user.id}`);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ outcome: 'failure', details: { reason: 'bad_password', failures: 1 } });
  });

  it('locks an account after five wrong passwords, audits it, and lifts the lock after 15 minutes', async () => {
    const user = await newUser(t);
    for (let i = 0; i < 5; i++)
      expectError(await loginRequest(user.email, `wrong-password-${i}`), 401, 'INVALID_CREDENTIALS');

    const locked = expectError(await loginRequest(user.email, user.password), 401, 'ACCOUNT_LOCKED');
    expect(locked.message).toMatch(/15 minutes/);

    const entries = await auditWhere(admin, `action=auth.lockout&targetId=${user.id}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'denied', targetType: 'user', actorLabel: user.email });
    const shown = await admin.request({ method: 'GET', url: `/v1/admin/users/${user.id}` });
    expect(shown.json().lockedUntil).not.toBeNull();

    t.clock.advance(14 * 60_000);
    expectError(await loginRequest(user.email, user.password), 401, 'ACCOUNT_LOCKED');
    t.clock.advance(60_000 + 1000);
    const after = await loginRequest(user.email, user.password);
    expect(after.statusCode, after.body).toBe(200);
    expect((after.json() as SessionInfo).user.lockedUntil).toBeNull();
  });

  it('lets an admin unlock a locked account at once', async () => {
    const user = await newUser(t);
    for (let i = 0; i < 5; i++) await loginRequest(user.email, `wrong-password-${i}`);
    expectError(await loginRequest(user.email, user.password), 401, 'ACCOUNT_LOCKED');

    const unlocked = await admin.request({ method: 'POST', url: `/v1/admin/users/${user.id}/unlock` });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json()).toMatchObject({ id: user.id, lockedUntil: null });
    expect((await loginRequest(user.email, user.password)).statusCode).toBe(200);
    expect(await auditWhere(admin, `action=user.unlock&targetId=${user.id}`)).toHaveLength(1);

    const operator = await t.loginAs('operator');
    expectError(await operator.request({ method: 'POST', url: `/v1/admin/users/${user.id}/unlock` }), 403, 'FORBIDDEN');
  });

  it('signs out: 204, cookie cleared, the old cookie no longer works, audited', async () => {
    const user = await newUser(t);
    const caller = await t.login(user.email, user.password);
    const sessions = await caller.request({ method: 'GET', url: '/v1/auth/sessions' });
    const current = (sessions.json() as { items: { id: string; current: boolean }[] }).items.find((s) => s.current);
    expect(current).toBeDefined();

    const res = await caller.request({ method: 'POST', url: '/v1/auth/logout' });
    expect(res.statusCode, res.body).toBe(204);
    const cleared = sessionCookie(res);
    expect(cleared.value).toBe('');
    const expired = (cleared.expires && new Date(cleared.expires).getTime() <= Date.now()) || cleared.maxAge === 0;
    expect(expired).toBe(true);

    expectError(await caller.request({ method: 'GET', url: '/v1/auth/me' }), 401, 'UNAUTHENTICATED');
    const entries = await auditWhere(admin, `action=auth.logout&targetId=${current?.id}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.actorId).toBe(user.id);
  });

  it('refuses to sign out without a session', async () => {
    expectError(await t.anonymous.request({ method: 'POST', url: '/v1/auth/logout' }), 401, 'UNAUTHENTICATED');
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/auth/me' }), 401, 'UNAUTHENTICATED');
  });

  describe('two-factor authentication', () => {
    const codeNow = (secret: string) => totpCode(secret, totpStep(t.clock.now().getTime()));
    const loginWithCode = (email: string, password: string, code: string) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password, totpCode: code } });

    it('needs a code at sign-in once on, refuses reused codes, and turns off only with password and code', async () => {
      const user = await newUser(t);
      const caller = await t.login(user.email, user.password);

      const setup = await caller.request({ method: 'POST', url: '/v1/auth/totp/setup' });
      expect(setup.statusCode, setup.body).toBe(200);
      const { secret, otpauthUrl } = setup.json() as { secret: string; otpauthUrl: string };
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(otpauthUrl).toContain(`secret=${secret}`);

      const wrongEnable = await caller.request({
        method: 'POST',
        url: '/v1/auth/totp/enable',
        payload: { code: '000000' },
      });
      if (codeNow(secret) !== '000000') expectError(wrongEnable, 400, 'VALIDATION_FAILED');

      const enableCode = codeNow(secret);
      const enabled = await caller.request({
        method: 'POST',
        url: '/v1/auth/totp/enable',
        payload: { code: enableCode },
      });
      expect(enabled.statusCode, enabled.body).toBe(204);
      expect((await caller.request({ method: 'GET', url: '/v1/auth/me' })).json().user.totpEnabled).toBe(true);
      expectError(await caller.request({ method: 'POST', url: '/v1/auth/totp/setup' }), 409, 'CONFLICT');

      expectError(await loginRequest(user.email, user.password), 401, 'TOTP_REQUIRED');
      // The code that turned it on cannot be used again.
      expectError(await loginWithCode(user.email, user.password, enableCode), 401, 'INVALID_CREDENTIALS');

      t.clock.advance(30_000);
      const code = codeNow(secret);
      const withCode = await loginWithCode(user.email, user.password, code);
      expect(withCode.statusCode, withCode.body).toBe(200);
      expectError(await loginWithCode(user.email, user.password, code), 401, 'INVALID_CREDENTIALS');

      const loginAudit = await auditWhere(admin, `action=auth.login&actorId=${user.id}`);
      expect(loginAudit[0]?.details).toMatchObject({ totp: true });

      t.clock.advance(30_000);
      const disableCode = codeNow(secret);
      expectError(
        await caller.request({ method: 'POST', url: '/v1/auth/totp/disable', payload: { password: user.password } }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await caller.request({
          method: 'POST',
          url: '/v1/auth/totp/disable',
          payload: { password: 'wrong-password!', code: disableCode },
        }),
        400,
        'VALIDATION_FAILED',
      );
      expect((await caller.request({ method: 'GET', url: '/v1/auth/me' })).json().user.totpEnabled).toBe(true);
      const disabled = await caller.request({
        method: 'POST',
        url: '/v1/auth/totp/disable',
        payload: { password: user.password, code: disableCode },
      });
      expect(disabled.statusCode, disabled.body).toBe(204);
      expect((await loginRequest(user.email, user.password)).statusCode).toBe(200);
      expectError(
        await caller.request({
          method: 'POST',
          url: '/v1/auth/totp/disable',
          payload: { password: user.password, code: disableCode },
        }),
        409,
        'CONFLICT',
      );
    });

    it('checks the password before asking for the code', async () => {
      const user = await newUser(t);
      const caller = await t.login(user.email, user.password);
      const { secret } = (await caller.request({ method: 'POST', url: '/v1/auth/totp/setup' })).json() as {
        secret: string;
      };
      const on = await caller.request({
        method: 'POST',
        url: '/v1/auth/totp/enable',
        payload: { code: codeNow(secret) },
      });
      expect(on.statusCode, on.body).toBe(204);
      // A wrong password must not reveal that the account has two-factor on.
      expectError(await loginRequest(user.email, 'wrong-password-xyz'), 401, 'INVALID_CREDENTIALS');
    });
  });
});

describe.each(testBackends)('first admin on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates the first admin once, with a long random password that signs in as admin', async () => {
    // Two replicas starting together: exactly one creates the admin.
    const results = await Promise.all([
      t.services.accounts.bootstrapFirstAdmin('first@osiris.local'),
      t.services.accounts.bootstrapFirstAdmin('first@osiris.local'),
    ]);
    const created = results.filter((r) => r !== null);
    expect(created).toHaveLength(1);
    const first = created[0];
    if (!first) throw new Error('unreachable');
    expect(first.email).toBe('first@osiris.local');
    expect(first.password.length).toBeGreaterThanOrEqual(20);

    expect(await t.services.accounts.bootstrapFirstAdmin('other@osiris.local')).toBeNull();

    const caller = await t.login(first.email, first.password);
    const who = await caller.request({ method: 'GET', url: '/v1/auth/me' });
    expect(who.statusCode).toBe(200);
    expect(who.json().user).toMatchObject({ email: 'first@osiris.local', role: 'admin', status: 'active' });

    const users = await caller.request({ method: 'GET', url: '/v1/admin/users' });
    expect((users.json() as { items: unknown[] }).items).toHaveLength(1);
    const audit = await caller.request({ method: 'GET', url: '/v1/admin/audit?action=user.bootstrap_admin' });
    expect(audit.json().items).toHaveLength(1);
  });

  it('keeps the last active admin: it cannot be demoted or disabled', async () => {
    const users = await t.services.accounts.list({ limit: 50, role: 'admin' });
    expect(users.items).toHaveLength(1);
    const only = users.items[0];
    if (!only) throw new Error('unreachable');
    await expect(t.services.accounts.update(SYSTEM_ACTOR, only.id, { role: 'operator' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(t.services.accounts.update(SYSTEM_ACTOR, only.id, { status: 'disabled' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await t.services.accounts.get(only.id)).toMatchObject({ role: 'admin', status: 'active' });
  });
});
