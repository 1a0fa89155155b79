import type { Host, Site } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createOk,
  createTenant,
  expectError,
  expectMissingIdNotFound,
  expectRoleRules,
  expectSignInRequired,
  expectValidationIssues,
  MISSING_ID,
  type Tenant,
  unique,
  walkPages,
} from '../../testing/api';

describe.each(testBackends)('hosts API on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let home: Tenant;

  const createHost = (input: Record<string, unknown> = {}) =>
    createOk<Host>(admin, '/v1/hosts', { siteId: home.site.id, hostname: unique('host'), platform: 'linux', ...input });
  const listAll = async (query = '') => (await walkPages<Host>(admin, '/v1/hosts', query)).flat();
  const listIds = async (query: string) => (await listAll(query)).map((h) => h.id);

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
    home = await createTenant(admin);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('creates, reads, lists, changes and deletes a host, naming its practice and partner', async () => {
    const created = await createHost({ hostname: ' FS01.Clinic.Local ', address: '10.0.0.5', platform: 'windows' });
    expect(created).toMatchObject({
      siteId: home.site.id,
      practiceId: home.practice.id,
      partnerId: home.partner.id,
      hostname: 'fs01.clinic.local',
      address: '10.0.0.5',
      platform: 'windows',
      role: 'server',
      status: 'active',
    });

    const got = await admin.request({ method: 'GET', url: `/v1/hosts/${created.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);
    expect(await listAll()).toContainEqual(created);

    const changed = await admin.request({
      method: 'PATCH',
      url: `/v1/hosts/${created.id}`,
      payload: { hostname: 'fs02', address: 'fe80::1', role: 'domain_controller', status: 'retired' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      id: created.id,
      siteId: home.site.id,
      partnerId: home.partner.id,
      hostname: 'fs02',
      address: 'fe80::1',
      role: 'domain_controller',
      status: 'retired',
    });
    const cleared = await admin.request({
      method: 'PATCH',
      url: `/v1/hosts/${created.id}`,
      payload: { address: null },
    });
    expect(cleared.json()).toMatchObject({ address: null });

    expect((await admin.request({ method: 'DELETE', url: `/v1/hosts/${created.id}` })).statusCode).toBe(204);
    expectError(await admin.request({ method: 'GET', url: `/v1/hosts/${created.id}` }), 404, 'NOT_FOUND');
  });

  it('walks cursor pages in id order, every host exactly once', async () => {
    const tag = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createHost({ hostname: `${tag}-${i}` })).id);

    const pages = await walkPages<Host>(admin, '/v1/hosts', `&q=${tag}`, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((h) => h.id)).toEqual(ids);
  });

  it('filters by site, practice, partner, platform, role and status and searches hostname or address', async () => {
    const other = await createTenant(admin);
    const secondSite = await createOk<Site>(admin, '/v1/sites', {
      practiceId: home.practice.id,
      name: unique('Second'),
    });
    const tag = unique('find');
    const a = await createHost({ hostname: `${tag}-abc`, platform: 'windows', role: 'workstation' });
    const b = await createHost({
      siteId: secondSite.id,
      hostname: `${tag}-srv`,
      address: '192.168.77.10',
      status: 'retired',
    });
    const c = await createHost({
      siteId: other.site.id,
      hostname: `${tag}-sw`,
      platform: 'network',
      role: 'network_device',
    });

    expect(await listIds(`&q=${tag.toUpperCase()}`)).toEqual([a.id, b.id, c.id]);
    expect(await listIds(`&siteId=${secondSite.id}`)).toEqual([b.id]);
    expect(await listIds(`&q=${tag}&practiceId=${home.practice.id}`)).toEqual([a.id, b.id]);
    expect(await listIds(`&partnerId=${other.partner.id}`)).toEqual([c.id]);
    expect(await listIds(`&q=${tag}&platform=linux`)).toEqual([b.id]);
    expect(await listIds(`&q=${tag}&role=workstation`)).toEqual([a.id]);
    expect(await listIds(`&q=${tag}&status=retired`)).toEqual([b.id]);
    expect(await listIds(`&q=${tag}&platform=windows&partnerId=${other.partner.id}`)).toEqual([]);
    expect(await listIds('&q=192.168.77')).toEqual([b.id]);
    // LIKE wildcards in q are literal: neither "_" nor "%" can appear in a hostname or address.
    expect(await listIds(`&q=${encodeURIComponent(`${tag}-a_c`)}`)).toEqual([]);
    expect(await listIds('&q=%25')).toEqual([]);
    expectError(await admin.request({ method: 'GET', url: '/v1/hosts?platform=solaris' }), 400, 'VALIDATION_FAILED');
  });

  it('refuses invalid input with the issues and writes nothing', async () => {
    const host = await createHost();
    const before = (await listAll()).length;
    const siteId = home.site.id;
    const cases: unknown[] = [
      { siteId, hostname: 'unknown-field', platform: 'linux', practiceId: home.practice.id },
      { siteId, hostname: 12, platform: 'linux' },
      { siteId, hostname: `${'a'.repeat(60)}.`.repeat(5), platform: 'linux' },
      { siteId, hostname: 'bad_name', platform: 'linux' },
      { siteId, hostname: 'no-platform' },
      { siteId, hostname: 'bad-address', platform: 'linux', address: '10.0.0.300/24' },
      { siteId, hostname: 'bad-role', platform: 'linux', role: 'printer' },
      { siteId: 'site', hostname: 'bad-site', platform: 'linux' },
    ];
    for (const payload of cases) {
      expectValidationIssues(
        await admin.request({ method: 'POST', url: '/v1/hosts', payload }),
        JSON.stringify(payload),
      );
    }
    const other = await createTenant(admin);
    for (const payload of [{}, { siteId: other.site.id }, { platform: 'amiga' }, { hostname: 'x'.repeat(254) }]) {
      expectValidationIssues(await admin.request({ method: 'PATCH', url: `/v1/hosts/${host.id}`, payload }));
    }
    expect((await listAll()).length).toBe(before);
    expect((await admin.request({ method: 'GET', url: `/v1/hosts/${host.id}` })).json()).toEqual(host);
  });

  it('answers NOT_FOUND for a missing host and for a missing site on create', async () => {
    await expectMissingIdNotFound(admin, '/v1/hosts', { role: 'other' });

    const before = (await listAll()).length;
    const res = await admin.request({
      method: 'POST',
      url: '/v1/hosts',
      payload: { siteId: MISSING_ID, hostname: 'orphan', platform: 'linux' },
    });
    expect(expectError(res, 404, 'NOT_FOUND').message).toBe('Site not found');
    expect((await listAll()).length).toBe(before);
  });

  it('refuses a duplicate hostname at one site, allows it at another', async () => {
    const hostname = unique('dup');
    const first = await createHost({ hostname });
    const before = (await listAll()).length;
    const res = await admin.request({
      method: 'POST',
      url: '/v1/hosts',
      payload: { siteId: home.site.id, hostname: hostname.toUpperCase(), platform: 'macos' },
    });
    expect(expectError(res, 409, 'CONFLICT').message).toBe(`A host named "${hostname}" already exists at this site`);
    expect((await listAll()).length).toBe(before);

    const other = await createTenant(admin);
    await createHost({ siteId: other.site.id, hostname });

    const second = await createHost();
    const renamed = await admin.request({ method: 'PATCH', url: `/v1/hosts/${second.id}`, payload: { hostname } });
    expect(expectError(renamed, 409, 'CONFLICT').message).toBe(
      `A host named "${hostname}" already exists at this site`,
    );
    expect((await admin.request({ method: 'GET', url: `/v1/hosts/${first.id}` })).json()).toEqual(first);
    expect((await admin.request({ method: 'GET', url: `/v1/hosts/${second.id}` })).json()).toEqual(second);
  });

  it('lets readonly users read but not change, operators change but not delete', async () => {
    const host = await createHost();
    await expectRoleRules({ admin, operator, readonly }, '/v1/hosts', host.id, {
      create: { siteId: home.site.id, hostname: unique('op'), platform: 'other' },
      change: { role: 'workstation' },
    });
  });

  it('asks anonymous callers to sign in', async () => {
    const host = await createHost();
    await expectSignInRequired(t.anonymous, '/v1/hosts', host.id, {
      create: { siteId: home.site.id, hostname: 'anon', platform: 'linux' },
      change: { role: 'other' },
    });
  });

  it('audits every change with who made it', async () => {
    const host = await createHost();
    await operator.request({ method: 'PATCH', url: `/v1/hosts/${host.id}`, payload: { status: 'retired' } });
    await admin.request({ method: 'DELETE', url: `/v1/hosts/${host.id}` });

    const entries = await auditOf(admin, host.id);
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ['host.delete', admin.userId],
      ['host.update', operator.userId],
      ['host.create', admin.userId],
    ]);
    expect(entries.every((e) => e.targetType === 'host')).toBe(true);
    expect(entries[0]?.details).toMatchObject({ before: { id: host.id, status: 'retired' } });
  });
});
