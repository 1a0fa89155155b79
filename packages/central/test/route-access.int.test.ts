import { randomUUID } from 'node:crypto';
import type { Role } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS } from '../src/platform/access';
import type { RouteAccess } from '../src/platform/http';
import { type Caller, type TestApp, startTestApp, testBackends } from '../src/testing';

/**
 * Every route, called by an anonymous caller, a signed-in caller whose role is too low, and a
 * caller with exactly the required role. The expected table is written out so that a new route
 * without a line here fails the first test.
 */
const EXPECTED: Record<string, RouteAccess> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /v1/openapi.json': 'public',
  'POST /v1/auth/login': 'public',
  'POST /v1/auth/invitations/accept': 'public',
  'POST /v1/auth/logout': 'readonly',
  'GET /v1/auth/me': 'readonly',
  'POST /v1/auth/password': 'readonly',
  'POST /v1/auth/totp/setup': 'readonly',
  'POST /v1/auth/totp/enable': 'readonly',
  'POST /v1/auth/totp/disable': 'readonly',
  'GET /v1/auth/sessions': 'readonly',
  'DELETE /v1/auth/sessions/:sessionId': 'readonly',
  'GET /v1/admin/users': 'admin',
  'GET /v1/admin/users/:id': 'admin',
  'PATCH /v1/admin/users/:id': 'admin',
  'POST /v1/admin/users/:id/unlock': 'admin',
  'GET /v1/admin/users/:id/sessions': 'admin',
  'DELETE /v1/admin/users/:id/sessions/:sessionId': 'admin',
  'DELETE /v1/admin/users/:id/sessions': 'admin',
  'POST /v1/admin/invitations': 'admin',
  'GET /v1/admin/invitations': 'admin',
  'DELETE /v1/admin/invitations/:id': 'admin',
  'GET /v1/admin/audit': 'admin',
  'GET /v1/admin/audit/verify': 'admin',
  ...crud('/v1/partners'),
  ...crud('/v1/practices'),
  ...crud('/v1/sites'),
  ...crud('/v1/hosts'),
  'POST /v1/sites/:id/provision-codes': 'operator',
  'GET /v1/sites/:id/provision-codes': 'readonly',
  'DELETE /v1/provision-codes/:id': 'operator',
  'GET /v1/sites/:id/appliances': 'readonly',
  'GET /v1/appliances/:id': 'readonly',
  'POST /v1/appliance/register': 'public',
  'POST /v1/appliance/checkin': 'appliance',
  'POST /v1/appliance/evidence': 'appliance',
  'POST /v1/appliance/orders/:orderId/result': 'appliance',
  'POST /v1/appliance/token': 'appliance',
  'POST /v1/appliance/escalations': 'appliance',
  'GET /v1/escalations': 'readonly',
  'GET /v1/escalations/:id': 'readonly',
  'POST /v1/escalations/:id/acknowledge': 'operator',
  'POST /v1/escalations/:id/resolve': 'operator',
  'POST /v1/escalations/:id/approve': 'operator',
  'POST /v1/appliance/patterns': 'appliance',
  'GET /v1/partners/:id/api-keys': ACCESS.partnerAdmin,
  'POST /v1/partners/:id/api-keys': ACCESS.partnerAdmin,
  'DELETE /v1/partners/:id/api-keys/:keyId': ACCESS.partnerAdmin,
  'GET /v1/learning/candidates': 'readonly',
  'POST /v1/learning/candidates/:id/approve': 'admin',
  'POST /v1/learning/candidates/:id/reject': 'admin',
  'POST /v1/appliances/:id/orders': 'operator',
  'GET /v1/appliances/:id/orders': 'readonly',
  'GET /v1/appliances/:id/evidence': 'readonly',
  'GET /v1/appliances/:id/evidence/verify': 'readonly',
  'GET /v1/sites/:id/results': 'readonly',
  'GET /v1/hosts/:id/results': 'readonly',
  'GET /v1/hosts/:id/history': 'readonly',
};

function crud(path: string): Record<string, Role> {
  return {
    [`GET ${path}`]: 'readonly',
    [`GET ${path}/:id`]: 'readonly',
    [`POST ${path}`]: 'operator',
    [`PATCH ${path}/:id`]: 'operator',
    [`DELETE ${path}/:id`]: 'admin',
  };
}

const LOWER: Record<Role, Role | null> = { admin: 'operator', operator: 'readonly', readonly: null };

function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, () => randomUUID());
}

describe.each(testBackends)('route access on %s', (backend) => {
  let t: TestApp;
  const callers = {} as Record<Role, Caller>;

  beforeAll(async () => {
    t = await startTestApp(backend);
    for (const role of ['admin', 'operator', 'readonly'] as const) callers[role] = await t.loginAs(role);
  });
  afterAll(() => t.close());

  it('knows every registered route and no route is missing from the table', () => {
    const registered = t.routeTable.map((r) => `${r.method} ${r.url}`).sort();
    expect(registered).toEqual(Object.keys(EXPECTED).sort());
    for (const route of t.routeTable)
      expect(route.access, `${route.method} ${route.url}`).toEqual(EXPECTED[`${route.method} ${route.url}`]);
  });

  it('refuses anonymous callers on every non-public route with 401 and lets them reach public ones', async () => {
    for (const [key, access] of Object.entries(EXPECTED)) {
      const [method, url] = key.split(' ') as [CallerRequestMethod, string];
      const response = await t.anonymous.request({
        method,
        url: concrete(url),
        ...(method === 'GET' ? {} : { payload: {} }),
      });
      if (access === 'public') expect(response.statusCode, key).not.toBe(401);
      else {
        expect(response.statusCode, key).toBe(401);
        expect(response.json().error.code, key).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('refuses a role below the required one with 403 FORBIDDEN and audits the denial', async () => {
    let denials = 0;
    for (const [key, access] of Object.entries(EXPECTED)) {
      if (typeof access !== 'string' || access === 'public' || access === 'appliance') continue;
      const [method, url] = key.split(' ') as [CallerRequestMethod, string];
      for (let lower = LOWER[access]; lower; lower = LOWER[lower]) {
        const response = await callers[lower].request({
          method,
          url: concrete(url),
          ...(method === 'GET' ? {} : { payload: {} }),
        });
        expect(response.statusCode, `${lower} → ${key}`).toBe(403);
        expect(response.json().error.code, `${lower} → ${key}`).toBe('FORBIDDEN');
        denials += 1;
      }
    }
    const audit = await callers.admin.request({
      method: 'GET',
      url: '/v1/admin/audit?action=security.access_denied&limit=500',
    });
    expect(audit.json().items.length).toBe(denials);
  });

  it('does not let a user session call appliance routes (they take only an appliance token)', async () => {
    for (const [key, access] of Object.entries(EXPECTED)) {
      if (access !== 'appliance') continue;
      const [method, url] = key.split(' ') as [CallerRequestMethod, string];
      const response = await callers.admin.request({ method, url: concrete(url), payload: {} });
      expect(response.statusCode, key).toBe(401);
      expect(response.json().error.code, key).toBe('UNAUTHENTICATED');
    }
  });

  it('lets a caller with exactly the required role past authorization on every route', async () => {
    for (const [key, access] of Object.entries(EXPECTED)) {
      if (typeof access !== 'string' || access === 'public' || access === 'appliance') continue;
      const [method, url] = key.split(' ') as [CallerRequestMethod, string];
      // Signing out ends the session, so that one gets a caller of its own.
      const caller = key === 'POST /v1/auth/logout' ? await freshCaller(t, access) : callers[access];
      const response = await caller.request({
        method,
        url: concrete(url),
        ...(method === 'GET' ? {} : { payload: {} }),
      });
      expect([401, 403], `${access} → ${key}: ${response.body}`).not.toContain(response.statusCode);
      expect(response.statusCode, `${access} → ${key}: ${response.body}`).toBeLessThan(500);
    }
  });
});

type CallerRequestMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function freshCaller(t: TestApp, role: Role): Promise<Caller> {
  const email = `fresh-${randomUUID().slice(0, 8)}@test.example`;
  await t.createUser(role, email, 'fresh-caller-passphrase-42');
  return t.login(email, 'fresh-caller-passphrase-42');
}
