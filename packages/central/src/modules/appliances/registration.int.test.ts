import type { Appliance, ProvisionCode } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  checkinRequest,
  newApplianceIdentity,
  registrationRequest,
  startTestApp,
  type TestApp,
  testBackends,
} from '../../testing';
import { auditOf, auditWhere, createTenant, expectError } from '../../testing/api';

const identity = newApplianceIdentity;
const registration = registrationRequest;
const checkin = checkinRequest({
  queues: { evidenceOutbox: 3, failedUploads: 0 },
  targets: { total: 3, reachable: 2 },
});

describe.each(testBackends)('appliance registration and check-in on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let siteId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    siteId = (await createTenant(admin)).site.id;
  });
  afterAll(() => t.close());

  async function newCode(): Promise<{ code: string; provisionCode: ProvisionCode }> {
    const res = await admin.request({ method: 'POST', url: `/v1/sites/${siteId}/provision-codes`, payload: {} });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  const register = (payload: unknown) =>
    t.anonymous.request({ method: 'POST', url: '/v1/appliance/register', payload });
  const checkinWith = (token: string, payload: unknown = { ...checkin, sentAt: new Date().toISOString() }) =>
    t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/checkin',
      payload,
      headers: { authorization: `Bearer ${token}` },
    });

  it('registers with a code and a proof of key possession, then checks in with its token', async () => {
    const { code, provisionCode } = await newCode();
    const id = identity();
    const res = await register(registration(id, code));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ schemaVersion: 1, siteId, applianceId: expect.any(String) });
    expect(body.orderSigningPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.token.length).toBeGreaterThanOrEqual(40);

    const sentAt = new Date(Date.now() - 5000).toISOString();
    const reply = await checkinWith(body.token, { ...checkin, sentAt });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({ schemaVersion: 1, orders: [], nextCheckinSeconds: 60 });

    const appliance = (
      await admin.request({ method: 'GET', url: `/v1/appliances/${body.applianceId}` })
    ).json() as Appliance;
    expect(appliance).toMatchObject({ siteId, hostname: 'appliance-01', publicKey: id.publicKey, status: 'active' });
    expect(appliance.lastCheckinAt).not.toBeNull();
    expect(appliance.clockOffsetMs).toBeGreaterThanOrEqual(4000);
    expect(appliance.lastHealth).toMatchObject({ queues: { evidenceOutbox: 3 }, targets: { reachable: 2 } });
    const listed = (await admin.request({ method: 'GET', url: `/v1/sites/${siteId}/appliances` })).json();
    expect(listed.items.map((a: Appliance) => a.id)).toEqual([body.applianceId]);

    const codes = (
      await admin.request({ method: 'GET', url: `/v1/sites/${siteId}/provision-codes?state=used` })
    ).json();
    expect(codes.items.map((c: ProvisionCode) => c.id)).toContain(provisionCode.id);
    const [entry] = await auditOf(admin, body.applianceId);
    expect(entry).toMatchObject({ action: 'appliance.register', actorType: 'appliance', actorId: body.applianceId });
    const stored = await t.database.db.selectFrom('appliances').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(body.token);
  });

  it('accepts a code only once', async () => {
    const { code } = await newCode();
    expect((await register(registration(identity(), code))).statusCode).toBe(201);
    expectError(await register(registration(identity(), code)), 404, 'NOT_FOUND');
  });

  it('refuses a signature by another key, a proof signed too long ago, and an unknown code', async () => {
    const { code } = await newCode();
    const id = identity();
    expectError(await register(registration(id, code, { signWith: identity().privateKey })), 401, 'UNAUTHENTICATED');
    const stale = new Date(Date.now() - 11 * 60_000).toISOString();
    expectError(await register(registration(id, code, { signedAt: stale })), 400, 'VALIDATION_FAILED');
    expectError(await register(registration(id, 'ABCD-EFGH-JKLM-NPQR')), 404, 'NOT_FOUND');
    const failures = await auditWhere(admin, '&action=appliance.register_failed');
    expect(failures.map((e) => e.details.reason)).toEqual(
      expect.arrayContaining(['bad_proof', 'clock_skew', 'bad_code']),
    );
    // The code survived the refused attempts.
    expect((await register(registration(id, code))).statusCode).toBe(201);
  });

  it('refuses an identity key that is already registered', async () => {
    const id = identity();
    expect((await register(registration(id, (await newCode()).code))).statusCode).toBe(201);
    expectError(await register(registration(id, (await newCode()).code)), 409, 'CONFLICT');
  });

  it('refuses check-in without a valid token, and audits it', async () => {
    expectError(await checkinWith('x'.repeat(43)), 401, 'UNAUTHENTICATED');
    const noHeader = await t.anonymous.request({ method: 'POST', url: '/v1/appliance/checkin', payload: checkin });
    expectError(noHeader, 401, 'UNAUTHENTICATED');
    expect((await auditWhere(admin, '&action=security.appliance_auth_failed')).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses malformed registration and check-in bodies with the list of issues', async () => {
    const bad = expectError(
      await register({ schemaVersion: 1, code: 'nope', publicKey: 'x', extra: 1 }),
      400,
      'VALIDATION_FAILED',
    );
    expect(bad.details?.issues?.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['code', 'publicKey', 'extra', 'signature']),
    );
    const id = identity();
    const { token } = (await register(registration(id, (await newCode()).code))).json();
    const badCheckin = expectError(
      await checkinWith(token, { ...checkin, uptimeSeconds: -1, sentAt: undefined }),
      400,
      'VALIDATION_FAILED',
    );
    expect(badCheckin.details?.issues?.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['uptimeSeconds', 'sentAt']),
    );
  });
  // Last: it moves the clock three days on, which also ends the admin's session.
  it('refuses revoked and expired codes', async () => {
    const revoked = await newCode();
    await admin.request({ method: 'DELETE', url: `/v1/provision-codes/${revoked.provisionCode.id}` });
    expectError(await register(registration(identity(), revoked.code)), 404, 'NOT_FOUND');
    const expiring = await newCode();
    t.clock.advance(73 * 3600_000);
    const signedAt = t.clock.now().toISOString();
    expectError(await register(registration(identity(), expiring.code, { signedAt })), 404, 'NOT_FOUND');
  });
});
