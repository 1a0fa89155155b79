import type { PartnerBranding } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import {
  auditOf,
  createPartner,
  createTenant,
  expectError,
  expectValidationIssues,
  MISSING_ID,
  type Tenant,
} from '../../testing/api';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
const WEBP = Buffer.concat([
  Buffer.from('RIFF', 'latin1'),
  Buffer.from([0x40, 0, 0, 0]),
  Buffer.from('WEBPVP8 ', 'latin1'),
  Buffer.alloc(64, 3),
]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const MAX_BYTES = 256 * 1024;

describe.each(testBackends)('partner branding on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let readonly: Caller;
  let a: Tenant;
  let b: Tenant;
  let adminA: Caller;
  let techA: Caller;
  let adminB: Caller;
  let viewerA: Caller;
  let auditorA: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    readonly = await t.loginAs('readonly');
    a = await createTenant(admin);
    b = await createTenant(admin);
    adminA = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    techA = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    adminB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    viewerA = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    auditorA = await signInAs(t, { role: 'auditor', practiceId: a.practice.id });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const brandingUrl = (partnerId: string) => `/v1/partners/${partnerId}/branding`;
  const logoUrl = (partnerId: string) => `/v1/partners/${partnerId}/logo`;
  const upload = (caller: Caller, partnerId: string, contentType: string, body: Buffer) =>
    caller.request({ method: 'PUT', url: logoUrl(partnerId), payload: body, headers: { 'content-type': contentType } });
  const setBranding = (caller: Caller, partnerId: string, payload: Record<string, unknown>) =>
    caller.request({ method: 'PUT', url: brandingUrl(partnerId), payload });

  it('refuses anonymous callers on every route', async () => {
    for (const request of [
      { method: 'GET' as const, url: brandingUrl(a.partner.id) },
      { method: 'PUT' as const, url: brandingUrl(a.partner.id), payload: { brandName: 'X', color: null } },
      { method: 'GET' as const, url: logoUrl(a.partner.id) },
      { method: 'DELETE' as const, url: logoUrl(a.partner.id) },
    ]) {
      expectError(await t.anonymous.request(request), 401, 'UNAUTHENTICATED');
    }
    expectError(await upload(t.anonymous, a.partner.id, 'image/png', PNG), 401, 'UNAUTHENTICATED');
  });

  it('a new partner has no branding', async () => {
    const res = await readonly.request({ method: 'GET', url: brandingUrl(b.partner.id) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      partnerId: b.partner.id,
      brandName: null,
      color: null,
      hasLogo: false,
      logoUrl: null,
    });
    expectError(await readonly.request({ method: 'GET', url: logoUrl(b.partner.id) }), 404, 'NOT_FOUND');
  });

  it("the partner's admin sets the brand name and colour, audited with before and after", async () => {
    const res = await setBranding(adminA, a.partner.id, { brandName: '  Northside Care  ', color: '#1d4ed8' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ partnerId: a.partner.id, brandName: 'Northside Care', color: '#1d4ed8' });
    const read = await techA.request({ method: 'GET', url: brandingUrl(a.partner.id) });
    expect(read.json()).toMatchObject({ brandName: 'Northside Care', color: '#1d4ed8' });

    const cleared = await setBranding(adminA, a.partner.id, { brandName: 'Northside', color: null });
    expect(cleared.json()).toMatchObject({ brandName: 'Northside', color: null });
    const [latest] = (await auditOf(admin, a.partner.id)).filter((e) => e.action === 'partner.branding_update');
    expect(latest).toMatchObject({
      actorId: adminA.userId,
      outcome: 'success',
      details: {
        before: { brandName: 'Northside Care', color: '#1d4ed8' },
        after: { brandName: 'Northside', color: null },
      },
    });
  });

  it('validates the brand name and colour', async () => {
    for (const payload of [
      { brandName: 'x'.repeat(81), color: null },
      { brandName: '   ', color: null },
      { brandName: 'Bad\u0007name', color: null },
      { brandName: 'Ok', color: '#ABCDEF' },
      { brandName: 'Ok', color: 'blue' },
      { brandName: 'Ok', color: '#abc' },
      { brandName: 'Ok' },
      { brandName: 'Ok', color: null, logo: 'x' },
    ]) {
      expectValidationIssues(await setBranding(adminA, a.partner.id, payload), JSON.stringify(payload));
    }
  });

  it.each([
    ['image/png', PNG],
    ['image/jpeg', JPEG],
    ['image/webp', WEBP],
  ])('uploads a %s logo and serves it with safe headers', async (type, bytes) => {
    const res = await upload(adminA, a.partner.id, type, bytes);
    expect(res.statusCode, res.body).toBe(200);
    const branding = res.json() as PartnerBranding;
    expect(branding).toMatchObject({
      hasLogo: true,
      logoUrl: expect.stringMatching(/^\/v1\/partners\/.+\/logo\?v=[0-9a-f]+$/),
    });

    const logo = await viewerA.request({ method: 'GET', url: branding.logoUrl ?? '' });
    expect(logo.statusCode, logo.body).toBe(200);
    expect(logo.headers['content-type']).toBe(type);
    expect(logo.headers['cache-control']).toBe('private, max-age=300');
    expect(logo.headers['x-content-type-options']).toBe('nosniff');
    expect(logo.headers['content-security-policy']).toBe("default-src 'none'");
    expect(logo.rawPayload.equals(bytes)).toBe(true);

    const [entry] = (await auditOf(admin, a.partner.id)).filter((e) => e.action === 'partner.logo_update');
    expect(entry).toMatchObject({ actorId: adminA.userId, details: { after: { type, sizeBytes: bytes.length } } });
  });

  it('a new image gets a new logo URL', async () => {
    const first = (await upload(adminA, a.partner.id, 'image/png', PNG)).json() as PartnerBranding;
    const second = (await upload(adminA, a.partner.id, 'image/jpeg', JPEG)).json() as PartnerBranding;
    expect(second.logoUrl).not.toBe(first.logoUrl);
  });

  it('refuses bytes that are not the declared type, SVG and other types with 415', async () => {
    const before = (await readonly.request({ method: 'GET', url: brandingUrl(a.partner.id) })).json();
    for (const [type, bytes] of [
      ['image/png', JPEG],
      ['image/jpeg', PNG],
      ['image/webp', Buffer.from('RIFF0000AVI LIST')],
      ['image/png', SVG],
      ['image/png', Buffer.alloc(0)],
      ['image/svg+xml', SVG],
      ['image/gif', Buffer.from('GIF89a')],
      ['text/plain', Buffer.from('hello')],
      ['application/json', Buffer.from('{"logo":"x"}')],
      ['application/octet-stream', PNG],
    ] as const) {
      expectError(await upload(adminA, a.partner.id, type, bytes), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await readonly.request({ method: 'GET', url: brandingUrl(a.partner.id) })).json()).toEqual(before);
  });

  it('accepts a logo of exactly 256 KiB and refuses a larger one with 413', async () => {
    const fill = (size: number) => Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(size - 8, 7)]);
    expect((await upload(adminA, a.partner.id, 'image/png', fill(MAX_BYTES))).statusCode).toBe(200);
    expectError(await upload(adminA, a.partner.id, 'image/png', fill(MAX_BYTES + 1)), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await upload(adminA, a.partner.id, 'image/png', fill(2 * 1024 * 1024)), 413, 'PAYLOAD_TOO_LARGE');
  });

  it("another partner's admin gets 404 for every route", async () => {
    expectError(await adminB.request({ method: 'GET', url: brandingUrl(a.partner.id) }), 404, 'NOT_FOUND');
    expectError(await adminB.request({ method: 'GET', url: logoUrl(a.partner.id) }), 404, 'NOT_FOUND');
    expectError(await setBranding(adminB, a.partner.id, { brandName: 'Mine', color: null }), 404, 'NOT_FOUND');
    expectError(await upload(adminB, a.partner.id, 'image/png', PNG), 404, 'NOT_FOUND');
    expectError(await adminB.request({ method: 'DELETE', url: logoUrl(a.partner.id) }), 404, 'NOT_FOUND');
  });

  it('a technician and the practice people may read but not change the branding (403)', async () => {
    for (const caller of [techA, viewerA, auditorA, readonly]) {
      expectError(await setBranding(caller, a.partner.id, { brandName: 'No', color: null }), 403, 'FORBIDDEN');
      expectError(await upload(caller, a.partner.id, 'image/png', PNG), 403, 'FORBIDDEN');
      expectError(await caller.request({ method: 'DELETE', url: logoUrl(a.partner.id) }), 403, 'FORBIDDEN');
    }
  });

  it("a practice's viewer and auditor read their partner's branding and logo, and no other partner's", async () => {
    await upload(adminA, a.partner.id, 'image/png', PNG);
    await upload(adminB, b.partner.id, 'image/png', PNG);
    for (const caller of [viewerA, auditorA]) {
      const branding = await caller.request({ method: 'GET', url: brandingUrl(a.partner.id) });
      expect(branding.statusCode, branding.body).toBe(200);
      expect(branding.json()).toMatchObject({ partnerId: a.partner.id, brandName: 'Northside', hasLogo: true });
      expect((await caller.request({ method: 'GET', url: logoUrl(a.partner.id) })).statusCode).toBe(200);
      expectError(await caller.request({ method: 'GET', url: brandingUrl(b.partner.id) }), 404, 'NOT_FOUND');
      expectError(await caller.request({ method: 'GET', url: logoUrl(b.partner.id) }), 404, 'NOT_FOUND');
    }
  });

  it('platform staff read and change any partner; a missing partner is 404', async () => {
    const other = await createPartner(admin);
    const operator = await t.loginAs('operator');
    expect((await setBranding(operator, other.id, { brandName: 'Ops set', color: '#00ff00' })).statusCode).toBe(200);
    expect((await readonly.request({ method: 'GET', url: brandingUrl(other.id) })).json()).toMatchObject({
      brandName: 'Ops set',
    });
    expectError(await admin.request({ method: 'GET', url: brandingUrl(MISSING_ID) }), 404, 'NOT_FOUND');
    expectError(await setBranding(admin, MISSING_ID, { brandName: 'X', color: null }), 404, 'NOT_FOUND');
    expectError(await upload(admin, MISSING_ID, 'image/png', PNG), 404, 'NOT_FOUND');
  });

  it('removes the logo, audited; removing it again is 404', async () => {
    await upload(adminA, a.partner.id, 'image/webp', WEBP);
    const res = await adminA.request({ method: 'DELETE', url: logoUrl(a.partner.id) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ hasLogo: false, logoUrl: null, brandName: 'Northside' });
    expectError(await viewerA.request({ method: 'GET', url: logoUrl(a.partner.id) }), 404, 'NOT_FOUND');
    expectError(await adminA.request({ method: 'DELETE', url: logoUrl(a.partner.id) }), 404, 'NOT_FOUND');
    const [entry] = (await auditOf(admin, a.partner.id)).filter((e) => e.action === 'partner.logo_delete');
    expect(entry).toMatchObject({ actorId: adminA.userId, details: { before: { type: 'image/webp' }, after: null } });
  });
});
