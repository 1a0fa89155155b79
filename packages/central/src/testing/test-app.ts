import { randomBytes } from 'node:crypto';
import type { Role } from '@osiris/protocol';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { type BuiltApp, buildApp } from '../app';
import { type Config, loadConfig } from '../config';
import { type Database, openDatabase } from '../platform/db';
import type { App } from '../platform/http';
import { migrate } from '../platform/migrations';
import { SYSTEM_ACTOR } from '../platform/context';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; real PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const testBackends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
export interface CallerRequest {
  method: Method;
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}
export interface Caller {
  userId: string | null;
  email: string | null;
  request(options: CallerRequest): Promise<LightMyRequestResponse>;
}

export interface TestDatabase {
  database: Database;
  url: string | null;
  drop(): Promise<void>;
}

/** A fresh, migrated database: in-memory PGlite, or a new osiris_test_<random> on TEST_DATABASE_URL. */
export async function createTestDatabase(backend: Backend, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrateIt = options.migrate ?? true;
  if (backend === 'pglite') {
    const database = await openDatabase({ memory: true });
    if (migrateIt) await migrate(database);
    return { database, url: null, drop: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `osiris_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  if (migrateIt) await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Settings for tests: quiet logs, cheap argon2, limits high enough not to get in the way. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    LOG_LEVEL: 'silent',
    // Tests run jobs by calling them, so a timer cannot race a test's own call.
    JOBS_ENABLED: false,
    ARGON2_MEMORY_KIB: 1024,
    ARGON2_ITERATIONS: 1,
    RATE_LIMIT_PER_MINUTE: 100_000,
    APPLIANCE_RATE_LIMIT_PER_MINUTE: 100_000,
    LOGIN_LIMIT_PER_IP: 100_000,
    LOGIN_LIMIT_PER_ACCOUNT: 100_000,
    ...overrides,
  };
}

/** A clock tests can move forward (session expiry, lockouts, invitation expiry). */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export function createTestClock(start = Date.now()): TestClock {
  let offset = 0;
  return {
    now: () => new Date(start + offset + (Date.now() - start)),
    advance: (ms) => {
      offset += ms;
    },
  };
}

export interface TestApp {
  clock: TestClock;
  routeTable: BuiltApp['routeTable'];
  app: App;
  services: BuiltApp['services'];
  database: Database;
  config: Config;
  anonymous: Caller;
  /** A signed-in caller with a new user of this role (one per role, reused). */
  loginAs(role: Role): Promise<Caller>;
  /** Create a user with this role and password; returns its id. */
  createUser(role: Role, email: string, password: string): Promise<string>;
  /** Sign in over HTTP; returns a caller carrying the cookie and CSRF token. */
  login(email: string, password: string, totpCode?: string): Promise<Caller>;
  close(): Promise<void>;
}

function caller(app: App, session: { cookie: string; csrf: string; userId: string; email: string } | null): Caller {
  return {
    userId: session?.userId ?? null,
    email: session?.email ?? null,
    request({ method, url, payload, headers }) {
      return app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
        headers: {
          ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
          ...headers,
        },
      });
    },
  };
}

export async function startTestApp(backend: Backend, overrides: Partial<Config> = {}): Promise<TestApp> {
  const testDb = await createTestDatabase(backend);
  const config = testConfig(overrides);
  const clock = createTestClock();
  const { app, services, routeTable } = await buildApp({ config, database: testDb.database, now: clock.now });
  await app.ready();
  const byRole = new Map<Role, Caller>();

  async function createUser(role: Role, email: string, password: string): Promise<string> {
    const { token } = await services.accounts.invite(SYSTEM_ACTOR, { email, role, expiresInHours: 1 });
    const user = await services.accounts.acceptInvitation(SYSTEM_ACTOR, { token, name: `Test ${role}`, password });
    return user.id;
  }

  async function login(email: string, password: string, totpCode?: string): Promise<Caller> {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password, ...(totpCode ? { totpCode } : {}) },
    });
    if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
    const cookie = response.cookies.find((c) => c.name === 'osiris_session');
    if (!cookie) throw new Error('login set no session cookie');
    const body = response.json() as { csrfToken: string; user: { id: string } };
    return caller(app, { cookie: `osiris_session=${cookie.value}`, csrf: body.csrfToken, userId: body.user.id, email });
  }

  return {
    clock,
    app,
    routeTable,
    services,
    database: testDb.database,
    config,
    anonymous: caller(app, null),
    createUser,
    login,
    async loginAs(role) {
      const existing = byRole.get(role);
      if (existing) return existing;
      const email = `${role}-${randomBytes(4).toString('hex')}@test.example`;
      const password = `pw-${randomBytes(12).toString('hex')}`;
      await createUser(role, email, password);
      const signedIn = await login(email, password);
      byRole.set(role, signedIn);
      return signedIn;
    },
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}
