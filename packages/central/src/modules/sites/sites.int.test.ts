import type { Host, Partner, Practice, Site } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createOk,
  createPartnerWithPractice,
  expectError,
  expectMissingIdNotFound,
  expectRoleRules,
  expectSignInRequired,
  expectValidationIssues,
  MISSING_ID,
  unique,
  walkPages,
} from '../../testing/api';

describe.each(testBackends)('sites API on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let partner: Partner;
  let practice: Practice;

  const createSite = (input: Record<string, unknown> = {}) =>
    createOk<Site>(admin, '/v1/sites', { practiceId: practice.id, name: unique('Site'), ...input });
  const listAll = async (query = '') => (await walkPages<Site>(admin, '/v1/sites', query)).flat();
  const listIds = async (query: string) => (await listAll(query)).map((s) => s.id);

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
    ({ partner, practice } = await createPartnerWithPractice(admin));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('creates, reads, lists, changes and deletes a site, naming its partner', async () => {
    const created = await createSite({ address: '1 Main St, Springfield' });
    expect(created).toMatchObject({
      practiceId: practice.id,
      partnerId: partner.id,
      timezone: 'UTC',
      status: 'active',
      address: '1 Main St, Springfield',
    });

    const got = await admin.request({ method: 'GET', url: `/v1/sites/${created.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);
    expect(await listAll()).toContainEqual(created);

    const changed = await admin.request({
      method: 'PATCH',
      url: `/v1/sites/${created.id}`,
      payload: { name: 'Annex', address: null, timezone: 'America/Chicago', status: 'inactive' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      id: created.id,
      practiceId: practice.id,
      partnerId: partner.id,
      name: 'Annex',
      address: null,
      timezone: 'America/Chicago',
      status: 'inactive',
    });

    expect((await admin.request({ method: 'DELETE', url: `/v1/sites/${created.id}` })).statusCode).toBe(204);
    expectError(await admin.request({ method: 'GET', url: `/v1/sites/${created.id}` }), 404, 'NOT_FOUND');
  });

  it('walks cursor pages in id order, every site exactly once', async () => {
    const tag = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createSite({ name: `${tag} ${i}` })).id);

    const pages = await walkPages<Site>(admin, '/v1/sites', `&q=${tag}`, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((s) => s.id)).toEqual(ids);
  });

  it('filters by practice, partner and status and searches name or address, wildcards taken literally', async () => {
    const other = await createPartnerWithPractice(admin);
    const tag = unique('find');
    const a = await createSite({ name: `${tag} 100% North` });
    const b = await createSite({ name: `${tag} South`, address: '1000 Elm_Road', status: 'inactive' });
    const c = await createSite({ practiceId: other.practice.id, name: `${tag} East`, address: '12 ElmxRoad' });

    expect(await listIds(`&q=${tag.toUpperCase()}`)).toEqual([a.id, b.id, c.id]);
    expect(await listIds(`&practiceId=${other.practice.id}`)).toEqual([c.id]);
    expect(await listIds(`&partnerId=${other.partner.id}`)).toEqual([c.id]);
    expect(await listIds(`&q=${tag}&partnerId=${partner.id}`)).toEqual([a.id, b.id]);
    expect(await listIds(`&q=${tag}&status=inactive`)).toEqual([b.id]);
    expect(await listIds(`&q=${tag}&practiceId=${practice.id}&partnerId=${other.partner.id}`)).toEqual([]);
    expect(await listIds('&q=elm_road')).toEqual([b.id]);
    expect(await listIds(`&q=${encodeURIComponent('100%')}`)).toEqual([a.id]);
    expect(await listIds('&q=%25')).toEqual([a.id]);
    expectError(await admin.request({ method: 'GET', url: '/v1/sites?practiceId=nope' }), 400, 'VALIDATION_FAILED');
  });

  it('refuses invalid input with the issues and writes nothing', async () => {
    const site = await createSite();
    const before = (await listAll()).length;
    const cases: unknown[] = [
      { practiceId: practice.id, name: 'Unknown field', partnerId: partner.id },
      { practiceId: practice.id, name: ['array'] },
      { practiceId: practice.id, name: 'x'.repeat(201) },
      { practiceId: practice.id, name: 'Long address', address: 'x'.repeat(501) },
      { practiceId: practice.id, name: 'Bad zone', timezone: 'Mars/Olympus_Mons' },
      { practiceId: 7, name: 'Bad parent id' },
      { name: 'No practice' },
    ];
    for (const payload of cases) {
      expectValidationIssues(
        await admin.request({ method: 'POST', url: '/v1/sites', payload }),
        JSON.stringify(payload),
      );
    }
    const other = await createPartnerWithPractice(admin);
    for (const payload of [
      {},
      { practiceId: other.practice.id },
      { timezone: 'Nowhere/Else' },
      { address: 'x'.repeat(501) },
    ]) {
      expectValidationIssues(await admin.request({ method: 'PATCH', url: `/v1/sites/${site.id}`, payload }));
    }
    expect((await listAll()).length).toBe(before);
    expect((await admin.request({ method: 'GET', url: `/v1/sites/${site.id}` })).json()).toEqual(site);
  });

  it('answers NOT_FOUND for a missing site and for a missing practice on create', async () => {
    await expectMissingIdNotFound(admin, '/v1/sites', { name: 'x' });

    const before = (await listAll()).length;
    const res = await admin.request({
      method: 'POST',
      url: '/v1/sites',
      payload: { practiceId: MISSING_ID, name: 'Orphan' },
    });
    expect(expectError(res, 404, 'NOT_FOUND').message).toBe('Practice not found');
    expect((await listAll()).length).toBe(before);
  });

  it('refuses to delete a site that still has hosts', async () => {
    const site = await createSite();
    const host = await createOk<Host>(admin, '/v1/hosts', { siteId: site.id, hostname: 'dc01', platform: 'windows' });
    const error = expectError(await admin.request({ method: 'DELETE', url: `/v1/sites/${site.id}` }), 409, 'CONFLICT');
    expect(error.message).toBe('The site still has hosts; delete them first');

    expect((await admin.request({ method: 'DELETE', url: `/v1/hosts/${host.id}` })).statusCode).toBe(204);
    expect((await admin.request({ method: 'DELETE', url: `/v1/sites/${site.id}` })).statusCode).toBe(204);
  });

  it('lets readonly users read but not change, operators change but not delete', async () => {
    const site = await createSite();
    await expectRoleRules({ admin, operator, readonly }, '/v1/sites', site.id, {
      create: { practiceId: practice.id, name: 'By someone' },
      change: { name: 'Operator rename' },
    });
  });

  it('asks anonymous callers to sign in', async () => {
    const site = await createSite();
    await expectSignInRequired(t.anonymous, '/v1/sites', site.id, {
      create: { practiceId: practice.id, name: 'x' },
      change: { name: 'x' },
    });
  });

  it('audits every change with who made it', async () => {
    const site = await createSite();
    await operator.request({ method: 'PATCH', url: `/v1/sites/${site.id}`, payload: { timezone: 'Europe/Berlin' } });
    await admin.request({ method: 'DELETE', url: `/v1/sites/${site.id}` });

    const entries = await auditOf(admin, site.id);
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ['site.delete', admin.userId],
      ['site.update', operator.userId],
      ['site.create', admin.userId],
    ]);
    expect(entries.every((e) => e.targetType === 'site')).toBe(true);
    expect(entries[2]?.details).toMatchObject({ after: { id: site.id, partnerId: partner.id } });
  });
});
