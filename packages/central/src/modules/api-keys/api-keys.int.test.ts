import type { ApiKey } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createTenant, expectError, type Tenant } from '../../testing/api';
import { signInAs } from '../../testing/principals';

describe.each(testBackends)('partner API keys on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let partnerAdmin: Caller;

  const withKey = (key: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.anonymous.request({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
  const create = async (scope: 'read' | 'read_write', expiresInDays = 30) => {
    const res = await partnerAdmin.request({
      method: 'POST',
      url: `/v1/partners/${a.partner.id}/api-keys`,
      payload: { name: `ci ${scope}`, scope, expiresInDays },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { apiKey: ApiKey; key: string };
  };

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    partnerAdmin = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
  });
  afterAll(() => t.close());

  it('shows a key once, stores only a keyed hash, and scopes it to its partner', async () => {
    const { apiKey, key } = await create('read');
    expect(key).toMatch(new RegExp(`^osk_${apiKey.prefix}_`));
    const stored = await t.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key.slice(13));
    expect(
      (await partnerAdmin.request({ method: 'GET', url: `/v1/partners/${a.partner.id}/api-keys` })).body,
    ).not.toContain(key);
    // A read key reads its partner's tenancy, nothing of another partner's, and changes nothing.
    const sites = await withKey(key, 'GET', '/v1/sites');
    expect(sites.statusCode, sites.body).toBe(200);
    expect(sites.json().items.map((s: { id: string }) => s.id)).toEqual([a.site.id]);
    expectError(await withKey(key, 'GET', `/v1/sites/${b.site.id}`), 404, 'NOT_FOUND');
    expectError(await withKey(key, 'PATCH', `/v1/sites/${a.site.id}`, { name: 'renamed' }), 403, 'FORBIDDEN');
    // Keys have no session: no profile, no key management.
    expectError(await withKey(key, 'GET', '/v1/auth/me'), 401, 'UNAUTHENTICATED');
    expectError(await withKey(key, 'GET', `/v1/partners/${a.partner.id}/api-keys`), 403, 'FORBIDDEN');
    const listed = (await partnerAdmin.request({ method: 'GET', url: `/v1/partners/${a.partner.id}/api-keys` })).json();
    expect(listed.items.find((k: ApiKey) => k.id === apiKey.id).lastUsedAt).not.toBeNull();
  });

  it('lets a read-write key act as a technician, and refuses revoked, expired and unknown keys with clear codes', async () => {
    const { apiKey, key } = await create('read_write', 1);
    const renamed = await withKey(key, 'PATCH', `/v1/sites/${a.site.id}`, { name: 'Renamed by key' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const audit = await auditWhere(admin, `action=site.update&targetId=${a.site.id}`);
    expect(audit[0]).toMatchObject({ actorType: 'api_key', actorId: apiKey.id });

    // Another partner's admin cannot list or revoke these keys.
    const other = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    expectError(await other.request({ method: 'GET', url: `/v1/partners/${a.partner.id}/api-keys` }), 404, 'NOT_FOUND');
    expectError(
      await other.request({ method: 'DELETE', url: `/v1/partners/${a.partner.id}/api-keys/${apiKey.id}` }),
      404,
      'NOT_FOUND',
    );
    const revoked = await partnerAdmin.request({
      method: 'DELETE',
      url: `/v1/partners/${a.partner.id}/api-keys/${apiKey.id}`,
    });
    expect(revoked.json()).toMatchObject({ id: apiKey.id, revokedAt: expect.any(String) });
    expectError(await withKey(key, 'GET', '/v1/sites'), 401, 'API_KEY_REVOKED');

    const { key: shortLived } = await create('read', 1);
    t.clock.advance(2 * 86_400_000);
    expectError(await withKey(shortLived, 'GET', '/v1/sites'), 401, 'API_KEY_EXPIRED');
    expectError(await withKey(`osk_abcdefgh_${'x'.repeat(43)}`, 'GET', '/v1/sites'), 401, 'UNAUTHENTICATED');
    // (Sessions idle for two days are gone, so read the audit log directly.)
    const refused = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'security.api_key_refused')
      .execute();
    expect(refused.map((e) => (e.details as { code: string }).code)).toEqual(
      expect.arrayContaining(['API_KEY_REVOKED', 'API_KEY_EXPIRED', 'UNKNOWN_KEY']),
    );
  });
});
