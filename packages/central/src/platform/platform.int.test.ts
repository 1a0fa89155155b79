import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../testing';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

/** The error shape every failure uses, with x-request-id equal to the body's requestId. */
function expectError(res: LightMyRequestResponse, status: number, code: string): ErrorBody['error'] {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const { error } = res.json() as ErrorBody;
  expect(error).toMatchObject({ code, message: expect.any(String), requestId: expect.stringMatching(UUID) });
  expect(res.headers['x-request-id']).toBe(error.requestId);
  return error;
}

function expectSecurityHeaders(res: LightMyRequestResponse): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("default-src 'self'");
  expect(String(res.headers['strict-transport-security'] ?? '')).toMatch(/max-age=\d{7,}/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe.each(testBackends)('platform HTTP behaviour on %s', (backend) => {
  const BODY_LIMIT = 2048;
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend, { BODY_LIMIT_BYTES: BODY_LIMIT });
    admin = await t.loginAs('admin');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  async function partnerSlugs(): Promise<string[]> {
    const slugs: string[] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor ? `&cursor=${cursor}` : '';
      const res = await admin.request({ method: 'GET', url: `/v1/partners?limit=200${after}` });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: { slug: string }[]; nextCursor: string | null };
      slugs.push(...page.items.map((p) => p.slug));
      cursor = page.nextCursor;
    } while (cursor);
    return slugs;
  }

  describe('security headers', () => {
    it('are sent on a 200', async () => {
      const res = await t.anonymous.request({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expectSecurityHeaders(res);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('are sent on a 404', async () => {
      const res = await t.anonymous.request({ method: 'GET', url: '/no/such/route' });
      expectError(res, 404, 'NOT_FOUND');
      expectSecurityHeaders(res);
    });

    it('are sent on a 400', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":',
      });
      expectError(res, 400, 'VALIDATION_FAILED');
      expectSecurityHeaders(res);
    });

    it('are sent on an authenticated 200 and a 401', async () => {
      expectSecurityHeaders(await admin.request({ method: 'GET', url: '/v1/partners' }));
      const denied = await t.anonymous.request({ method: 'GET', url: '/v1/partners' });
      expectError(denied, 401, 'UNAUTHENTICATED');
      expectSecurityHeaders(denied);
    });
  });

  describe('errors', () => {
    it('answers an unknown route with 404 NOT_FOUND in the error shape', async () => {
      const res = await t.anonymous.request({ method: 'GET', url: '/v1/nothing-here?x=1' });
      const error = expectError(res, 404, 'NOT_FOUND');
      expect(error.message).toContain('/v1/nothing-here');
      expect(error.message).not.toContain('x=1');
      expect(Object.keys(res.json() as object)).toEqual(['error']);
    });

    it('gives every response its own request id and ignores one sent by the client', async () => {
      const a = await t.anonymous.request({
        method: 'GET',
        url: '/nope',
        headers: { 'x-request-id': 'client-chosen' },
      });
      const b = await t.anonymous.request({ method: 'GET', url: '/nope' });
      expect(a.headers['x-request-id']).toMatch(UUID);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });

    it('rejects malformed JSON with 400 VALIDATION_FAILED', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "a@b.example", "password": ',
      });
      const error = expectError(res, 400, 'VALIDATION_FAILED');
      expect(error.details).toMatchObject({ issues: [expect.objectContaining({ code: 'invalid_json' })] });
    });

    it('rejects malformed JSON on an authenticated mutation with 400 and writes nothing', async () => {
      const before = await partnerSlugs();
      const res = await admin.request({
        method: 'POST',
        url: '/v1/partners',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":"Broken","slug":"broken-json"',
      });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(await partnerSlugs()).toEqual(before);
    });

    it('rejects a body of the wrong content type with 415', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'content-type': 'application/xml' },
        payload: '<login><email>a@b.example</email></login>',
      });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');

      const form = await admin.request({
        method: 'POST',
        url: '/v1/partners',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Form&slug=form-partner',
      });
      expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await partnerSlugs()).not.toContain('form-partner');

      const plain = await admin.request({
        method: 'POST',
        url: '/v1/partners',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify({ name: 'Plain', slug: 'plain-partner' }),
      });
      expectError(plain, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await partnerSlugs()).not.toContain('plain-partner');
    });

    it(`rejects a body over BODY_LIMIT_BYTES (${BODY_LIMIT}) with 413 PAYLOAD_TOO_LARGE and writes nothing`, async () => {
      const slug = `too-big-${Date.now().toString(36)}`;
      const payload = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT), slug });
      expect(Buffer.byteLength(payload)).toBeGreaterThan(BODY_LIMIT);
      const res = await admin.request({
        method: 'POST',
        url: '/v1/partners',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
      expectSecurityHeaders(res);
      expect(await partnerSlugs()).not.toContain(slug);

      // Just under the limit is accepted (the limit is the limit, not something smaller).
      const fits = JSON.stringify({ name: 'y'.repeat(150), slug });
      const ok = await admin.request({
        method: 'POST',
        url: '/v1/partners',
        headers: { 'content-type': 'application/json' },
        payload: fits,
      });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(await partnerSlugs()).toContain(slug);
    });

    it('rejects an oversized body before authentication is even needed', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'a@b.example', password: 'p'.repeat(BODY_LIMIT * 2) }),
      });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('CORS closed by default', () => {
    it('a preflight from another origin gets no access-control-allow-origin', async () => {
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/partners',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-csrf-token',
        },
      });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
    });

    it('a GET with an Origin gets no access-control-allow-origin', async () => {
      const res = await t.anonymous.request({
        method: 'GET',
        url: '/healthz',
        headers: { origin: 'https://evil.example' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const authed = await admin.request({
        method: 'GET',
        url: '/v1/partners',
        headers: { origin: 'https://evil.example' },
      });
      expect(authed.headers['access-control-allow-origin']).toBeUndefined();
      expect(authed.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });

  describe('health', () => {
    it('/healthz answers 200 {status:"ok"}', async () => {
      const res = await t.anonymous.request({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });

    it('/readyz answers 200 with the database up and no migration pending', async () => {
      const res = await t.anonymous.request({ method: 'GET', url: '/readyz' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { status: string; database: string; migrations: { applied: number; pending: number } };
      expect(body).toMatchObject({ status: 'ready', database: 'up', migrations: { pending: 0 } });
      expect(body.migrations.applied).toBeGreaterThan(0);
    });

    it('health probes are not rate limited', async () => {
      const limited = await startTestApp(backend, { RATE_LIMIT_PER_MINUTE: 2 });
      try {
        for (let i = 0; i < 5; i++) {
          expect((await limited.anonymous.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
          expect((await limited.anonymous.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
        }
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++)
          statuses.push((await limited.anonymous.request({ method: 'GET', url: '/nope' })).statusCode);
        expect(statuses).toContain(429);
      } finally {
        await limited.close();
      }
    });
  });

  describe('API docs', () => {
    it('/v1/openapi.json is an OpenAPI 3 document with the API paths', async () => {
      const res = await t.anonymous.request({ method: 'GET', url: '/v1/openapi.json' });
      expect(res.statusCode, res.body).toBe(200);
      const doc = res.json() as {
        openapi: string;
        info: { title: string };
        paths: Record<string, Record<string, unknown>>;
      };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toEqual(expect.any(String));
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/v1/partners', '/v1/auth/login', '/v1/admin/audit']),
      );
      expect(doc.paths['/v1/partners']).toHaveProperty('post');
      expect(doc.paths['/v1/auth/login']).toHaveProperty('post');
      expect(doc.paths['/v1/admin/audit']).toHaveProperty('get');
      // Every API route but the document itself is described, with the error envelope it may answer
      // (the web app's pages and assets are not API).
      const api = t.routeTable.filter(
        (r) => (r.url.startsWith('/v1/') || r.url.endsWith('z')) && r.url !== '/v1/openapi.json',
      );
      expect(api.length).toBeGreaterThan(50);
      for (const route of api) {
        const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
        const operation = doc.paths[path]?.[route.method.toLowerCase()] as { responses?: Record<string, unknown> };
        expect(operation, `${route.method} ${route.url}`).toBeDefined();
        expect(Object.keys(operation.responses ?? {}), `${route.method} ${route.url}`).toEqual(
          expect.arrayContaining(['4XX', '5XX']),
        );
      }
    });

    it('/v1/docs and /v1/docs/ serve the HTML docs page, still with the security headers', async () => {
      for (const url of ['/v1/docs', '/v1/docs/']) {
        const res = await t.anonymous.request({ method: 'GET', url });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type'], url).toMatch(/^text\/html/);
        expect(res.body, url).toMatch(/<html/i);
        expect(res.headers['content-security-policy'], url).toEqual(expect.any(String));
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
      }
    });
  });
});

describe.each(testBackends)('CORS with allowed origins on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { CORS_ORIGINS: ['https://app.example'] });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  function preflight(origin: string) {
    return t.app.inject({
      method: 'OPTIONS',
      url: '/v1/partners',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrf-token',
      },
    });
  }

  it('allows the configured origin, with credentials', async () => {
    const res = await preflight('https://app.example');
    expect(res.statusCode).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');

    const get = await t.anonymous.request({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://app.example' },
    });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(get.headers.vary ?? '')).toMatch(/origin/i);
  });

  it('refuses any other origin', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'http://app.example']) {
      const res = await preflight(origin);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      const get = await t.anonymous.request({ method: 'GET', url: '/healthz', headers: { origin } });
      expect(get.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('keeps the security headers on CORS responses', async () => {
    const get = await t.anonymous.request({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://app.example' },
    });
    expectSecurityHeaders(get);
  });
});
