import { randomBytes } from 'node:crypto';
import type { AuditEntry, User } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';

type Response = Awaited<ReturnType<Caller['request']>>;
type Role = 'admin' | 'operator' | 'readonly';

function expectError(res: Response, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const { error } = res.json() as { error: { code: string; message: string; requestId: string } };
  expect(error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  return error;
}

const newPassword = () => `pw-${randomBytes(12).toString('hex')}`;

describe.each(testBackends)('user administration on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let counter = 0;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function newUser(role: Role, label = 'user') {
    const email = `${label}-${++counter}-${randomBytes(3).toString('hex')}@test.example`;
    const password = newPassword();
    const id = await t.createUser(role, email, password);
    return { id, email, password };
  }

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
    const op = await newUser('operator', tag);
    const ro = await newUser('readonly', tag);
    const ad = await newUser('admin', tag);

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
    for (let i = 0; i < 5; i++) ids.push((await newUser('readonly', tag)).id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].sort());

    const bad = await admin.request({ method: 'GET', url: '/v1/admin/users?cursor=bm90LWEtdXVpZA' });
    expectError(bad, 400, 'VALIDATION_FAILED');
  });

  it('changes a role: the user’s sessions end and the next sign-in carries the new role', async () => {
    const user = await newUser('readonly');
    const caller = await t.login(user.email, user.password);
    expectError(await caller.request({ method: 'POST', url: '/v1/partners', payload: {} }), 403, 'FORBIDDEN');

    const res = await patch(user.id, { role: 'operator' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: user.id, role: 'operator', status: 'active' });
    expectError(await me(caller), 401, 'UNAUTHENTICATED');

    const again = await t.login(user.email, user.password);
    expect((await me(again)).json().user.role).toBe('operator');

    const entries = await admin.request({
      method: 'GET',
      url: `/v1/admin/audit?action=user.update&targetId=${user.id}`,
    });
    const entry = (entries.json().items as AuditEntry[])[0];
    expect(entry).toMatchObject({
      actorId: admin.userId,
      details: { before: { role: 'readonly' }, changes: { role: 'operator' }, sessionsRevoked: 1 },
    });
  });

  it('renaming keeps the user’s sessions', async () => {
    const user = await newUser('operator');
    const caller = await t.login(user.email, user.password);
    const res = await patch(user.id, { name: 'Just A New Name' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await me(caller)).json().user.name).toBe('Just A New Name');
  });

  it('disabling a user ends their sessions and refuses their sign-in like a wrong password', async () => {
    const user = await newUser('operator');
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
    const other = await newUser('admin');
    const res = await patch(other.id, { role: 'readonly' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().role).toBe('readonly');
  });

  it('validates updates and reports unknown users', async () => {
    const user = await newUser('readonly');
    expectError(await patch(user.id, {}), 400, 'VALIDATION_FAILED');
    expectError(await patch(user.id, { role: 'owner' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(user.id, { email: 'x@y.example' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(user.id, { name: '   ' }), 400, 'VALIDATION_FAILED');
    const unknown = '01900000-0000-7000-8000-000000000000';
    expectError(await patch(unknown, { name: 'Ghost' }), 404, 'NOT_FOUND');
    expectError(await admin.request({ method: 'GET', url: `/v1/admin/users/${unknown}` }), 404, 'NOT_FOUND');
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

    const denied = await admin.request({
      method: 'GET',
      url: `/v1/admin/audit?action=security.access_denied&actorId=${operator.userId}`,
    });
    const entries = denied.json().items as AuditEntry[];
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries[0]).toMatchObject({ outcome: 'denied', details: { required: 'admin', role: 'operator' } });
  });
});
