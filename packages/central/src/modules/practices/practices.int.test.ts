import type { Partner, Practice, Site } from '@osiris/protocol';
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
  MISSING_ID,
  unique,
  walkPages,
} from '../../testing/api';

describe.each(testBackends)('practices API on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let partner: Partner;

  const createPractice = (input: Record<string, unknown> = {}) =>
    createOk<Practice>(admin, '/v1/practices', { partnerId: partner.id, name: unique('Clinic'), ...input });
  const listAll = async (query = '') => (await walkPages<Practice>(admin, '/v1/practices', query)).flat();
  const listIds = async (query: string) => (await listAll(query)).map((p) => p.id);

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
    partner = await createPartner(admin);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('creates, reads, lists, changes and deletes a practice', async () => {
    const created = await createPractice({ contactEmail: 'Front.Desk@Clinic.example' });
    expect(created).toMatchObject({
      partnerId: partner.id,
      status: 'active',
      contactEmail: 'front.desk@clinic.example',
    });

    const got = await admin.request({ method: 'GET', url: `/v1/practices/${created.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);
    expect(await listIds('')).toContain(created.id);

    const changed = await admin.request({
      method: 'PATCH',
      url: `/v1/practices/${created.id}`,
      payload: { name: 'Renamed Clinic', status: 'inactive', contactEmail: null },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      id: created.id,
      partnerId: partner.id,
      name: 'Renamed Clinic',
      status: 'inactive',
      contactEmail: null,
    });

    expect((await admin.request({ method: 'DELETE', url: `/v1/practices/${created.id}` })).statusCode).toBe(204);
    expectError(await admin.request({ method: 'GET', url: `/v1/practices/${created.id}` }), 404, 'NOT_FOUND');
  });

  it('walks cursor pages in id order, every practice exactly once', async () => {
    const tag = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createPractice({ name: `${tag} ${i}` })).id);

    const pages = await walkPages<Practice>(admin, '/v1/practices', `&q=${tag}`, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((p) => p.id)).toEqual(ids);
  });

  it('filters by partner and status and searches names case-insensitively, wildcards taken literally', async () => {
    const other = await createPartner(admin);
    const tag = unique('find');
    const a = await createPractice({ name: `${tag} 100% Dental` });
    const b = await createPractice({ name: `${tag} 1000 Dental`, status: 'inactive' });
    const c = await createPractice({ name: `${tag} a_b`, partnerId: other.id });
    const d = await createPractice({ name: `${tag} axb`, partnerId: other.id });

    expect(await listIds(`&q=${tag.toUpperCase()}`)).toEqual([a.id, b.id, c.id, d.id]);
    expect(await listIds(`&partnerId=${other.id}`)).toEqual([c.id, d.id]);
    expect(await listIds(`&q=${tag}&partnerId=${partner.id}&status=inactive`)).toEqual([b.id]);
    expect(await listIds(`&q=${tag}&status=active`)).toEqual([a.id, c.id, d.id]);
    expect(await listIds(`&q=${encodeURIComponent('100%')}`)).toEqual([a.id]);
    expect(await listIds(`&q=${encodeURIComponent(`${tag} a_b`)}`)).toEqual([c.id]);
    expect(await listIds(`&partnerId=${MISSING_ID}`)).toEqual([]);
    expectError(await admin.request({ method: 'GET', url: '/v1/practices?partnerId=nope' }), 400, 'VALIDATION_FAILED');
    expectError(await admin.request({ method: 'GET', url: '/v1/practices?status=deleted' }), 400, 'VALIDATION_FAILED');
  });

  it('refuses invalid input with the issues and writes nothing', async () => {
    const practice = await createPractice();
    const before = (await listAll()).length;
    const cases: unknown[] = [
      { partnerId: partner.id, name: 'Unknown field', extra: 1 },
      { partnerId: partner.id, name: 42 },
      { partnerId: partner.id, name: 'x'.repeat(201) },
      { partnerId: 'not-a-uuid', name: 'Bad parent id' },
      { name: 'No partner' },
      { partnerId: partner.id, name: 'Bad email', contactEmail: 'nope' },
      { partnerId: partner.id, name: 'Bad status', status: 'suspended' },
    ];
    for (const payload of cases) {
      expectValidationIssues(
        await admin.request({ method: 'POST', url: '/v1/practices', payload }),
        JSON.stringify(payload),
      );
    }
    for (const payload of [{}, { partnerId: partner.id }, { name: 'x'.repeat(201) }, { status: 1 }]) {
      expectValidationIssues(await admin.request({ method: 'PATCH', url: `/v1/practices/${practice.id}`, payload }));
    }
    expect((await listAll()).length).toBe(before);
    expect((await admin.request({ method: 'GET', url: `/v1/practices/${practice.id}` })).json()).toEqual(practice);
  });

  it('answers NOT_FOUND for a missing practice and for a missing partner on create', async () => {
    await expectMissingIdNotFound(admin, '/v1/practices', { name: 'x' });

    const before = (await listAll()).length;
    const res = await admin.request({
      method: 'POST',
      url: '/v1/practices',
      payload: { partnerId: MISSING_ID, name: 'Orphan' },
    });
    expect(expectError(res, 404, 'NOT_FOUND').message).toBe('Partner not found');
    expect((await listAll()).length).toBe(before);
  });

  it('refuses to delete a practice that still has sites', async () => {
    const practice = await createPractice();
    const site = await createOk<Site>(admin, '/v1/sites', { practiceId: practice.id, name: 'Main office' });
    const error = expectError(
      await admin.request({ method: 'DELETE', url: `/v1/practices/${practice.id}` }),
      409,
      'CONFLICT',
    );
    expect(error.message).toBe('The practice still has sites; delete them first');

    expect((await admin.request({ method: 'DELETE', url: `/v1/sites/${site.id}` })).statusCode).toBe(204);
    expect((await admin.request({ method: 'DELETE', url: `/v1/practices/${practice.id}` })).statusCode).toBe(204);
  });

  it('lets readonly users read but not change, operators change but not delete', async () => {
    const practice = await createPractice();
    await expectRoleRules({ admin, operator, readonly }, '/v1/practices', practice.id, {
      create: { partnerId: partner.id, name: 'By someone' },
      change: { name: 'Operator rename' },
    });
  });

  it('asks anonymous callers to sign in', async () => {
    const practice = await createPractice();
    await expectSignInRequired(t.anonymous, '/v1/practices', practice.id, {
      create: { partnerId: partner.id, name: 'x' },
      change: { name: 'x' },
    });
  });

  it('audits every change with who made it', async () => {
    const practice = await createPractice();
    await operator.request({ method: 'PATCH', url: `/v1/practices/${practice.id}`, payload: { status: 'inactive' } });
    await admin.request({ method: 'DELETE', url: `/v1/practices/${practice.id}` });

    const entries = await auditOf(admin, practice.id);
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ['practice.delete', admin.userId],
      ['practice.update', operator.userId],
      ['practice.create', admin.userId],
    ]);
    expect(entries.every((e) => e.targetType === 'practice')).toBe(true);
    expect(entries[1]?.details).toMatchObject({ before: { status: 'active' }, changes: { status: 'inactive' } });
  });
});
