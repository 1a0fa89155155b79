import { randomBytes } from 'node:crypto';
import type { User } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, expectError, MISSING_ID, newUser, walkPages } from '../../testing/api';

describe.each(testBackends)('user administration on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const me = (caller: Caller) => caller.request({ method: 'GET', url: '/v1/auth/me' });
  const patch = (id: string, payload: Record<string, unknown>, by: Caller = admin) =>
    by.request({ method: 'PATCH', url: `/v1/admin/users/${id}`, payload });

  async function list(query: string): Promise<{ items: User[]; nextCursor: string | null }> {
    const res = await admin.request({ method: 'GET', url: `/v1/admin/users?${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('filters the list by role and finds users by email or name', async () => {
    const tag = `find${randomBytes(3).toString('hex')}`;
    const op = await newUser(t, 'operator', tag);
    const ro = await newUser(t, 'readonly', tag);
    const ad = await newUser(t, 'admin', tag);

    const all = await list(`q=${tag}`);
    expect(all.items.map((u) => u.id).sort()).toEqual([op.id, ro.id, ad.id].sort());
    expect((await list(`q=${tag}&role=operator`)).items.map((u) => u.id)).toEqual([op.id]);
    expect((await list(`q=${tag}&role=admin`)).items.map((u) => u.id)).toEqual([ad.id]);
    expect((await list(`q=${tag.toUpperCase()}&role=readonly`)).items.map((u) => u.id)).toEqual([ro.id]);

    const renamed = await patch(op.id, { name: 'Zebediah Quartermaine' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await list('q=quartermaine')).items.map((u) => u.id)).toEqual([op.id]);
    // LIKE wildcards in q are literal.
    expect((await list('q=%25')).items).toEqual([]);
    expect((await list(`q=${tag}&role=operator`)).items[0]).not.toHaveProperty('passwordHash');
  });

  it('walks cursor pages in id order, every user exactly once', async () => {
    const tag = `page${randomBytes(3).toString('hex')}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newUser(t, 'readonly', tag)).id);

    const pages = await walkPages<User>(admin, '/v1/admin/users', `&q=${tag}`, 2);
    expect(pages).toHaveLength(3);
    expect(pages.flat().map((u) => u.id)).toEqual([...ids].sort());

    const bad = await admin.request({ method: 'GET', url: '/v1/admin/users?cursor=bm90LWEtdXVpZA' });
    expectError(bad, 400, 'VALIDATION_FAILED');
  });

  it('changes a role: the user’s sessions end and the next sign-in carries the new role', async () => {
    const user = await newUser(t, 'readonly');
    const caller = await t.login(user.email, user.password);
    expectError(await caller.request({ method: 'POST', url: '/v1/partners', payload: {} }), 403, 'FORBIDDEN');

    const res = await patch(user.id, { role: 'operator' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: user.id, role: 'operator', status: 'active' });
    expectError(await me(caller), 401, 'UNAUTHENTICATED');

    const again = await t.login(user.email, user.password);
    expect((await me(again)).json().user.role).toBe('operator');

    const entry = (await auditWhere(admin, `action=user.update&targetId=${user.id}`))[0];
    expect(entry).toMatchObject({
      actorId: admin.userId,
      details: { before: { role: 'readonly' }, changes: { role: 'operator' }, sessionsRevoked: 1 },
    });
  });

  it('renaming keeps the user’s sessions', async () => {
    const user = await newUser(t, 'operator');
    const caller = await t.login(user.email, user.password);
    const res = await patch(user.id, { name: 'Just A New Name' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await me(caller)).json().user.name).toBe('Just A New Name');
  });

  it('disabling a user ends their sessions and refuses their sign-in like a wrong password', async () => {
    const user = await newUser(t, 'operator');
    const caller = await t.login(user.email, user.password);
    expect((await me(caller)).statusCode).toBe(200);

    const res = await patch(user.id, { status: 'disabled' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('disabled');
    expectError(await me(caller), 401, 'UNAUTHENTICATED');

    const refused = expectError(await login(user.email, user.password), 401, 'INVALID_CREDENTIALS');
    const wrong = expectError(await login(user.email, 'some-wrong-password'), 401, 'INVALID_CREDENTIALS');
    expect(refused.message).toBe(wrong.message);
    expect((await list('status=disabled')).items.map((u) => u.id)).toContain(user.id);

    const enabled = await patch(user.id, { status: 'active' });
    expect(enabled.json().status).toBe('active');
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('an admin cannot demote or disable themselves', async () => {
    const self = admin.userId as string;
    expectError(await patch(self, { role: 'operator' }), 409, 'CONFLICT');
    expectError(await patch(self, { status: 'disabled' }), 409, 'CONFLICT');
    expect((await me(admin)).json().user).toMatchObject({ role: 'admin', status: 'active' });
    // Renaming oneself is fine.
    const renamed = await patch(self, { name: 'Admin Renamed' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await me(admin)).statusCode).toBe(200);
  });

  it('an admin can demote another admin', async () => {
    const other = await newUser(t, 'admin');
    const res = await patch(other.id, { role: 'readonly' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().role).toBe('readonly');
  });

  it('validates updates and reports unknown users', async () => {
    const user = await newUser(t, 'readonly');
    expectError(await patch(user.id, {}), 400, 'VALIDATION_FAILED');
    expectError(await patch(user.id, { role: 'owner' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(user.id, { email: 'x@y.example' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(user.id, { name: '   ' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(MISSING_ID, { name: 'Ghost' }), 404, 'NOT_FOUND');
    expectError(await admin.request({ method: 'GET', url: `/v1/admin/users/${MISSING_ID}` }), 404, 'NOT_FOUND');
    expectError(await admin.request({ method: 'GET', url: '/v1/admin/users/not-a-uuid' }), 400, 'VALIDATION_FAILED');
  });

  it('is for admins only: operators and readonly users get 403, anonymous callers 401', async () => {
    const operator = await t.loginAs('operator');
    const readonly = await t.loginAs('readonly');
    for (const caller of [operator, readonly]) {
      expectError(await caller.request({ method: 'GET', url: '/v1/admin/users' }), 403, 'FORBIDDEN');
      expectError(await patch(caller.userId as string, { role: 'admin' }, caller), 403, 'FORBIDDEN');
    }
    expect((await me(operator)).json().user.role).toBe('operator');
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/admin/users' }), 401, 'UNAUTHENTICATED');

    const entries = await auditWhere(admin, `action=security.access_denied&actorId=${operator.userId}`);
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries[0]).toMatchObject({
      outcome: 'denied',
      details: { required: 'platform admin', principal: 'platform operator' },
    });
  });
});
