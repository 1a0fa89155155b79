import { PROVISION_CODE_PATTERN, type ProvisionCode } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, createTenant, expectError, MISSING_ID, walkPages } from '../../testing/api';

describe.each(testBackends)('provision codes on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let operator: Caller;
  let readonly: Caller;
  let siteId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    operator = await t.loginAs('operator');
    readonly = await t.loginAs('readonly');
    siteId = (await createTenant(admin)).site.id;
  });
  afterAll(() => t.close());

  const create = (caller: Caller, payload: Record<string, unknown> = {}, site = siteId) =>
    caller.request({ method: 'POST', url: `/v1/sites/${site}/provision-codes`, payload });
  const list = async (query = '') =>
    (await walkPages<ProvisionCode>(readonly, `/v1/sites/${siteId}/provision-codes`, query)).flat();

  it('creates a pending single-use code, shown once and stored only as a hash', async () => {
    const res = await create(operator, { expiresInHours: 24 });
    expect(res.statusCode, res.body).toBe(201);
    const { provisionCode, code } = res.json() as { provisionCode: ProvisionCode; code: string };
    expect(code).toMatch(PROVISION_CODE_PATTERN);
    expect(provisionCode).toMatchObject({ siteId, state: 'pending', createdBy: operator.userId, usedAt: null });
    const hours = (Date.parse(provisionCode.expiresAt) - Date.parse(provisionCode.createdAt)) / 3600_000;
    expect(hours).toBe(24);
    const listed = await list();
    expect(listed.map((p) => p.id)).toContain(provisionCode.id);
    expect(JSON.stringify(listed)).not.toContain(code);
    const stored = await t.database.db.selectFrom('provision_codes').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(code);
    const [entry] = await auditOf(admin, provisionCode.id);
    expect(entry).toMatchObject({ action: 'provision_code.create', actorId: operator.userId });
    expect(JSON.stringify(entry)).not.toContain(code);
  });

  it('makes a different code each time', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) codes.add((await create(operator)).json().code);
    expect(codes.size).toBe(5);
  });

  it('revokes a pending code once, and lists codes by state', async () => {
    const { provisionCode } = (await create(operator)).json() as { provisionCode: ProvisionCode };
    const revoked = await operator.request({ method: 'DELETE', url: `/v1/provision-codes/${provisionCode.id}` });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().state).toBe('revoked');
    expectError(
      await operator.request({ method: 'DELETE', url: `/v1/provision-codes/${provisionCode.id}` }),
      409,
      'CONFLICT',
    );
    expect((await list('&state=revoked')).map((p) => p.id)).toEqual([provisionCode.id]);
    expect((await list('&state=pending')).every((p) => p.state === 'pending')).toBe(true);
    expect((await auditOf(admin, provisionCode.id)).map((e) => e.action)).toEqual([
      'provision_code.revoke',
      'provision_code.create',
    ]);
  });

  it('reports a code past its expiry as expired and refuses to revoke it', async () => {
    const { provisionCode } = (await create(operator, { expiresInHours: 1 })).json() as {
      provisionCode: ProvisionCode;
    };
    t.clock.advance(3600_000 + 1000);
    expect((await list('&state=expired')).map((p) => p.id)).toContain(provisionCode.id);
    expectError(
      await operator.request({ method: 'DELETE', url: `/v1/provision-codes/${provisionCode.id}` }),
      409,
      'CONFLICT',
    );
  });

  it('refuses bad input, missing sites and codes, and callers without the role', async () => {
    const bad = expectError(await create(operator, { expiresInHours: 0, extra: true }), 400, 'VALIDATION_FAILED');
    expect(bad.details?.issues?.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['expiresInHours', 'extra']),
    );
    expectError(await create(operator, {}, MISSING_ID), 404, 'NOT_FOUND');
    expectError(
      await readonly.request({ method: 'GET', url: `/v1/sites/${MISSING_ID}/provision-codes` }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await operator.request({ method: 'DELETE', url: `/v1/provision-codes/${MISSING_ID}` }),
      404,
      'NOT_FOUND',
    );
    expectError(await create(readonly), 403, 'FORBIDDEN');
    expectError(await create(t.anonymous), 401, 'UNAUTHENTICATED');
  });
});
