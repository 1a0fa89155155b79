import type { Partner } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createOk,
  createPartner,
  expectError,
  expectMissingIdNotFound,
  expectRoleRules,
  expectSignInRequired,
  expectValidationIssues,
  unique,
  walkPages,
} from '../../testing/api';

describe.each(testBackends)('partners API on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const listAll = async (query = '') => (await walkPages<Partner>(admin, '/v1/partners', query)).flat();

  it('creates, reads, lists, changes and deletes a partner', async () => {
    const created = await createPartner(admin, { contactEmail: 'Ops@Example.COM' });
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
    const tag = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createPartner(admin, { name: `${tag} ${i}` })).id);

    const pages = await walkPages<Partner>(admin, '/v1/partners', `&q=${tag}`, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((p) => p.id)).toEqual(ids);
  });

  it('rejects a malformed cursor', async () => {
    expectValidationIssues(await admin.request({ method: 'GET', url: '/v1/partners?cursor=bm90LWEtdXVpZA' }));
  });

  it('filters by status and searches name and slug case-insensitively, wildcards taken literally', async () => {
    const tag = unique('find');
    const active = await createPartner(admin, { name: `${tag} 100% Care` });
    const suspended = await createPartner(admin, { name: `${tag} 1000 Care`, status: 'suspended' });
    const underscored = await createPartner(admin, { name: `${tag} a_b` });
    const plain = await createPartner(admin, { name: `${tag} axb` });

    const ids = async (query: string) => (await listAll(query)).map((p) => p.id);
    expect(await ids(`&q=${tag.toUpperCase()}`)).toEqual([active.id, suspended.id, underscored.id, plain.id]);
    expect(await ids(`&q=${tag}&status=suspended`)).toEqual([suspended.id]);
    expect(await ids(`&q=${encodeURIComponent('100%')}`)).toEqual([active.id]);
    expect(await ids(`&q=${encodeURIComponent(`${tag} a_b`)}`)).toEqual([underscored.id]);
    expect(await ids(`&q=${encodeURIComponent(plain.slug)}`)).toEqual([plain.id]);
  });

  it('refuses invalid input with the issues and writes nothing', async () => {
    const before = (await listAll()).length;
    const s = unique('p');
    const cases: unknown[] = [
      { name: 'Unknown field', slug: s, extra: true },
      { name: 123, slug: s },
      { name: 'x'.repeat(201), slug: s },
      { name: 'Bad slug', slug: 'Not A Slug' },
      { name: 'Bad email', slug: s, contactEmail: 'not-an-email' },
      { name: 'Bad status', slug: s, status: 'deleted' },
    ];
    for (const payload of cases) {
      expectValidationIssues(
        await admin.request({ method: 'POST', url: '/v1/partners', payload }),
        JSON.stringify(payload),
      );
    }
    const partner = await createPartner(admin);
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
    await expectMissingIdNotFound(admin, '/v1/partners', { name: 'x' });
  });

  it('refuses a second partner with the same slug', async () => {
    const first = await createPartner(admin);
    const res = await admin.request({
      method: 'POST',
      url: '/v1/partners',
      payload: { name: 'Copy', slug: first.slug },
    });
    expect(expectError(res, 409, 'CONFLICT').message).toContain(first.slug);
  });

  it('refuses to delete a partner that still has practices', async () => {
    const partner = await createPartner(admin);
    await createOk(admin, '/v1/practices', { partnerId: partner.id, name: 'Clinic' });
    const error = expectError(
      await admin.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` }),
      409,
      'CONFLICT',
    );
    expect(error.message).toBe('The partner still has practices; delete them first');
    expect((await admin.request({ method: 'GET', url: `/v1/partners/${partner.id}` })).statusCode).toBe(200);
  });

  it('lets readonly users read but not change, operators change but not delete', async () => {
    const partner = await createPartner(admin);
    await expectRoleRules({ admin, operator, readonly }, '/v1/partners', partner.id, {
      create: { name: 'By operator', slug: unique('p') },
      change: { name: 'Operator rename' },
    });
  });

  it('asks anonymous callers to sign in', async () => {
    const partner = await createPartner(admin);
    await expectSignInRequired(t.anonymous, '/v1/partners', partner.id, {
      create: { name: 'x', slug: unique('p') },
      change: { name: 'x' },
    });
  });

  it('audits every change with who made it', async () => {
    const partner = await createPartner(admin);
    await admin.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, payload: { name: 'Audited' } });
    await admin.request({ method: 'DELETE', url: `/v1/partners/${partner.id}` });

    const entries = await auditOf(admin, partner.id);
    expect(entries.map((e) => e.action)).toEqual(['partner.delete', 'partner.update', 'partner.create']);
    for (const entry of entries)
      expect(entry).toMatchObject({ actorId: admin.userId, targetType: 'partner', outcome: 'success' });
  });
});
