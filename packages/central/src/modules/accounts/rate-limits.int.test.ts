import type { SessionInfo } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import type { App } from '../../platform/http';
import { startTestApp, type TestApp, testBackends, testConfig } from '../../testing';
import {
  auditWhere,
  awayFromWindowEdge,
  expectError,
  newUser,
  type TestResponse,
  uniqueEmail,
} from '../../testing/api';

function expectRetryAfter(res: TestResponse, windowSeconds: number): number {
  const seconds = Number(res.headers['retry-after']);
  expect(Number.isInteger(seconds), `retry-after: ${res.headers['retry-after']}`).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
  return seconds;
}

/** A distinct client address per test, so tests do not share per-IP counters. */
let nextIp = 0;
const freshIp = () => `10.${Math.floor(Math.random() * 200)}.${++nextIp}.${Math.floor(Math.random() * 250) + 1}`;

function attemptLogin(app: App, email: string, password: string, ip: string) {
  return app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress: ip });
}

describe.each(testBackends)('rate limits on %s', (backend) => {
  describe('sign-in attempts per account', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(backend, { LOGIN_LIMIT_PER_ACCOUNT: 3 });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses the fourth attempt for one email, even with the right password and from other addresses', async () => {
      const { id: userId, email, password } = await newUser(t, 'readonly', 'limited');
      const bystander = await newUser(t, 'readonly', 'bystander');
      await awayFromWindowEdge(15 * 60);

      for (let i = 0; i < 3; i++) {
        expectError(await attemptLogin(t.app, email, `wrong-password-${i}`, freshIp()), 401, 'INVALID_CREDENTIALS');
      }
      const limited = await attemptLogin(t.app, email.toUpperCase(), password, freshIp());
      const error = expectError(limited, 429, 'RATE_LIMITED');
      const retry = expectRetryAfter(limited, 15 * 60);
      expect(error.details).toEqual({ retryAfterSeconds: retry });
      expect(limited.cookies.find((c) => c.name === 'osiris_session')).toBeUndefined();

      // Another account is not affected.
      expect((await attemptLogin(t.app, bystander.email, bystander.password, freshIp())).statusCode).toBe(200);

      const admin = await t.loginAs('admin');
      const entries = await auditWhere(admin, 'action=auth.login_rate_limited');
      expect(entries.some((e) => e.details.email === email && e.details.bucket === 'login-account')).toBe(true);
      // The limited attempt never reached the password check: the failure count stays at 3.
      expect(await auditWhere(admin, `action=auth.login_failed&targetId=${userId}`)).toHaveLength(3);
    });
  });

  describe('sign-in attempts per address', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(backend, { LOGIN_LIMIT_PER_IP: 3 });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses the fourth attempt from one address whatever the email', async () => {
      const ip = freshIp();
      await awayFromWindowEdge(15 * 60);
      for (let i = 0; i < 3; i++) {
        expectError(
          await attemptLogin(t.app, uniqueEmail(`spray${i}`), 'guessed-password', ip),
          401,
          'INVALID_CREDENTIALS',
        );
      }
      const limited = await attemptLogin(t.app, uniqueEmail('spray3'), 'guessed-password', ip);
      expectError(limited, 429, 'RATE_LIMITED');
      expectRetryAfter(limited, 15 * 60);
      // Without TRUST_PROXY, a forged X-Forwarded-For does not make a new address.
      const forged = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: uniqueEmail('spray4'), password: 'guessed-password' },
        remoteAddress: ip,
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expectError(forged, 429, 'RATE_LIMITED');

      // Another address still gets an answer.
      expectError(
        await attemptLogin(t.app, uniqueEmail('other'), 'guessed-password', freshIp()),
        401,
        'INVALID_CREDENTIALS',
      );
    });
  });

  describe('all requests per address', () => {
    let t: TestApp;
    let cookie = '';
    beforeAll(async () => {
      t = await startTestApp(backend, { RATE_LIMIT_PER_MINUTE: 5 });
      const { email, password } = await newUser(t, 'readonly', 'reader');
      const res = await attemptLogin(t.app, email, password, freshIp());
      expect(res.statusCode, res.body).toBe(200);
      cookie = `osiris_session=${res.cookies.find((c) => c.name === 'osiris_session')?.value}`;
      expect((res.json() as SessionInfo).user.email).toBe(email);
    });
    afterAll(async () => {
      await t?.close();
    });

    const get = (app: App, url: string, ip: string) =>
      app.inject({ method: 'GET', url, headers: { cookie }, remoteAddress: ip });

    it('answers the sixth request in a minute from one address with 429; health probes are exempt', async () => {
      const ip = freshIp();
      await awayFromWindowEdge(60);
      for (let i = 0; i < 5; i++)
        expect((await get(t.app, '/v1/partners', ip)).statusCode, `request ${i + 1}`).toBe(200);
      const limited = await get(t.app, '/v1/partners', ip);
      expectError(limited, 429, 'RATE_LIMITED');
      expectRetryAfter(limited, 60);
      // Anonymous or not, the address is limited.
      expectError(await t.app.inject({ method: 'GET', url: '/v1/partners', remoteAddress: ip }), 429, 'RATE_LIMITED');

      for (let i = 0; i < 10; i++) {
        const health = await get(t.app, '/healthz', ip);
        expect(health.statusCode).toBe(200);
        expect(health.json()).toEqual({ status: 'ok' });
      }
      expect((await get(t.app, '/v1/partners', freshIp())).statusCode).toBe(200);
    });

    it('shares the counts between replicas on one database', async () => {
      const replica = await buildApp({ config: testConfig({ RATE_LIMIT_PER_MINUTE: 5 }), database: t.database });
      try {
        await replica.app.ready();
        const ip = freshIp();
        await awayFromWindowEdge(60);
        for (let i = 0; i < 3; i++) expect((await get(t.app, '/v1/partners', ip)).statusCode, `A ${i + 1}`).toBe(200);
        // The replica accepts the session made on the first app, and counts on from 3.
        for (let i = 0; i < 2; i++)
          expect((await get(replica.app, '/v1/partners', ip)).statusCode, `B ${i + 1}`).toBe(200);
        expectError(await get(t.app, '/v1/partners', ip), 429, 'RATE_LIMITED');
        expectError(await get(replica.app, '/v1/partners', ip), 429, 'RATE_LIMITED');
      } finally {
        await replica.app.close();
      }
    });
  });
});
