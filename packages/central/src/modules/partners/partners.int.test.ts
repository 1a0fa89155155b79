import type { Partner } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';

type Response = Awaited<ReturnType<Caller['request']>>;

function expectError(res: Response, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const { error } = res.json() as {
    error: { code: string; message: string; details?: { issues?: unknown[] }; requestId: string };
  };
  expect(error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  return error;
}

describe.each(testBackends)('partners API on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let counter = 0;
  const slug = (prefix = 'p') => `${prefix}-${++counter}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  async function createPartner(input: Record<string, unknown> = {}): Promise<Partner> {
    const s = slug();
    const res = await admin.request({
      method: 'POST',
      url: '/v1/partners',
      payload: { name: `Partner ${s}`, slug: s, ...input },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  /** The pages of a list, walked with its cursors. */
  async function walkPages(query = '', limit = 200): Promise<Partner[][]> {
    const pages: Partner[][] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor ? `&cursor=${cursor}` : '';
      const res = await admin.request({ method: 'GET', url: `/v1/partners?limit=${limit}${query}${after}` });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: Partner[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(limit);
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return pages;
  }
  const listAll = async (query = '') => (await walkPages(query)).flat();

  it('creates, reads, lists, changes and deletes a partner', async () => {
    const created = await createPartner({ contactEmail: 'Ops@Example.COM' });
    expect(created).toMatchObject({ status: 'active', contactEmail: 'ops@example.com' });

    const got = await admin.request({ method: 'GET', url: `/v1/partners/${created.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);
    expect((await listAll()).map((p) => p.id)).toContain(created.id);

    const changed = await admin.request({
      method: 'PATCH',
      url: `/v1/partners/${created.id}`,
      payload: { name: 'Renamed MSP', status: 'suspended', contactEmail: null },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      id: created.id,
      name: 'Renamed MSP',
      status: 'suspended',
      contactEmail: null,
      slug: created.slug,
    });

    const deleted = await admin.request({ method: 'DELETE', url: `/v1/partners/${created.id}` });
    expect(deleted.statusCode).toBe(204);
    expectError(await admin.request({ method: 'GET', url: `/v1/partners/${created.id}` }), 404, 'NOT_FOUND');
  });

  it('walks cursor pages in id order, every partner exactly once', async () => {
    const tag = slug('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createPartner({ name: `${tag} ${i}` })).id);

    const pages = await walkPages(`&q=${tag}`, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((p) => p.id)).toEqual(ids);
  });

  it('rejects a malformed cursor', async () => {
    const error = expectError(
      await admin.request({ method: 'GET', url: '/v1/partners?cursor=bm90LWEtdXVpZA' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(error.details?.issues?.length).toBeGreaterThan(0);
  });

  it('filters by status and searches name and slug case-insensitively, wildcards taken literally', async () => {
    const tag = slug('find');
    const active = await createPartner({ name: `${tag} 100% Care` });
    const suspended = await createPartner({ name: `${tag} 1000 Care`, status: 'suspended' });
    const underscored = await createPartner({ name: `${tag} a_b` });
    const plain = await createPartner({ name: `${tag} axb` });

    const ids = async (query: string) => (await listAll(query)).map((p) => p.id);
    expect(await ids(`&q=${tag.toUpperCase()}`)).toEqual([active.id, suspended.id, underscored.id, plain.id]);
    expect(await ids(`&q=${tag}&status=suspended`)).toEqual([suspended.id]);
    expect(await ids(`&q=${encodeURIComponent('100%')}`)).toEqual([active.id]);
    expect(await ids(`&q=${encodeURIComponent(`${tag} a_b`)}`)).toEqual([underscored.id]);
    expect(await ids(`&q=${encodeURIComponent(plain.slug)}`)).toEqual([plain.id]);
  });

  it('refuses invalid input with the issues and writes nothing', async () => {
    const before = (await listAll()).length;
    const s = slug();
    const cases: unknown[] = [
      { name: 'Unknown field', slug: s, extra: true },
      { name: 123, slug: s },
      { name: 'x'.repeat(201), slug: s },
      { name: 'Bad slug', slug: 'Not A Slug' },
      { name: 'Bad email', slug: s, contactEmail: 'not-an-email' },
      { name: 'Bad status', slug: s, status: 'deleted' },
    ];
    for (const payload of cases) {
      const error = expectError(
        await admin.request({ method: 'POST', url: '/v1/partners', payload }),
        400,
        'VALIDATION_FAILED',
      );
      expect(error.details?.issues?.length, JSON.stringify(payload)).toBeGreaterThan(0);
    }
    const partner = await createPartner();
    for (const payload of [{}, { slug: 'cannot-change' }, { name: '' }]) {
      expectError(
        await admin.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, payload }),
        400,
        'VALIDATION_FAILED',
      );
    }
    expectError(await admin.request({ method: 'GET', url: '/v1/partners?limit=500' }), 400, 'VALIDATION_FAILED');
    expectError(await admin.request({ method: 'GET', url: '/v1/partners/not-a-uuid' }), 400, 'VALIDATION_FAILED');
    expect((await listAll()).length).toBe(before + 1);
    expect((await admin.request({ method: 'GET', url: `/v1/partners/${partner.id}` })).json()).toEqual(partner);
  });

  it('answers NOT_FOUND for an id that does not exist', async () => {
    const missing = '01890000-0000-7000-8000-000000000000';
    expectError(await admin.request({ method: 'GET', url: `/v1/partners/${missing}` }), 404, 'NOT_FOUND');
    expectError(
      await admin.request({ method: 'PATCH', url: `/v1/partners/${missing}`, payload: { name: 'x' } }),
      404,
      'NOT_FOUND',
    );
    expectError(await admin.request({ method: 'DELETE', url: `/v1/partners/${missing}` }), 404, 'NOT_FOUND');
  });

  it('refuses a second partner with the same slug', async () => {
    const first = await createPartner();
    const res = await admin.request({
      method: 'POST',
      url: '/v1/partners',
      payload: { name: 'Copy', slug: first.slug },
    });
    expect(expectError(res, 409, 'CONFLICT').message).toContain(first.slug);
  });

  it('refuses to delete a partner that still has practices', async () => {
    const partner = await createPartner();
    const practice = await admin.request({
      method: 'POST',
      url: '/v1/practices',
      payload: { partnerId: partner.id, name: 'Clinic' },
    });
    expect(practice.statusCode, practice.body).toBe(201);
    const error = expectError(
      await admin.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` }),
      409,
      'CONFLICT',
    );
    expect(error.message).toBe('The partner still has practices; delete them first');
    expect((await admin.request({ method: 'GET', url: `/v1/partners/${partner.id}` })).statusCode).toBe(200);
  });

  it('lets readonly users read but not change, operators change but not delete', async () => {
    const partner = await createPartner();
    expect((await readonly.request({ method: 'GET', url: `/v1/partners/${partner.id}` })).statusCode).toBe(200);
    expect((await readonly.request({ method: 'GET', url: '/v1/partners' })).statusCode).toBe(200);
    const s = slug();
    expectError(
      await readonly.request({ method: 'POST', url: '/v1/partners', payload: { name: 'No', slug: s } }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await readonly.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, payload: { name: 'No' } }),
      403,
      'FORBIDDEN',
    );
    expectError(await readonly.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` }), 403, 'FORBIDDEN');

    const created = await operator.request({
      method: 'POST',
      url: '/v1/partners',
      payload: { name: 'By operator', slug: s },
    });
    expect(created.statusCode, created.body).toBe(201);
    const changed = await operator.request({
      method: 'PATCH',
      url: `/v1/partners/${partner.id}`,
      payload: { name: 'Operator rename' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expectError(await operator.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` }), 403, 'FORBIDDEN');
    expect((await admin.request({ method: 'GET', url: `/v1/partners/${partner.id}` })).json()).toMatchObject({
      name: 'Operator rename',
    });
  });

  it('asks anonymous callers to sign in', async () => {
    const partner = await createPartner();
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/partners' }), 401, 'UNAUTHENTICATED');
    expectError(
      await t.anonymous.request({ method: 'GET', url: `/v1/partners/${partner.id}` }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await t.anonymous.request({ method: 'POST', url: '/v1/partners', payload: { name: 'x', slug: slug() } }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await t.anonymous.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, payload: { name: 'x' } }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await t.anonymous.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('audits every change with who made it', async () => {
    const partner = await createPartner();
    await admin.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, payload: { name: 'Audited' } });
    await admin.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` });

    const res = await admin.request({ method: 'GET', url: `/v1/admin/audit?targetId=${partner.id}` });
    expect(res.statusCode, res.body).toBe(200);
    const entries = (
      res.json() as { items: Array<{ action: string; actorId: string | null; targetType: string; outcome: string }> }
    ).items;
    expect(entries.map((e) => e.action)).toEqual(['partner.delete', 'partner.update', 'partner.create']);
    for (const entry of entries)
      expect(entry).toMatchObject({ actorId: admin.userId, targetType: 'partner', outcome: 'success' });
  });
});
