import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../app';
import { createTestDatabase, type TestDatabase, testBackends, testConfig } from '../testing';
import { SYSTEM_ACTOR } from './context';
import { type Database, openDatabase } from './db';

/** A TCP forwarder to PostgreSQL that can be cut (closing every connection) and restored on the same port. */
class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.connections++;
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Refuse new connections and drop every open one, as a database crash or network cut would. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}

type Response = LightMyRequestResponse;

function expectUnavailable(res: Response): void {
  expect(res.statusCode, res.body).toBe(503);
  const { error } = res.json() as { error: { code: string; message: string; requestId: string } };
  expect(error).toMatchObject({
    code: 'DATABASE_UNAVAILABLE',
    message: expect.any(String),
    requestId: expect.any(String),
  });
  expect(error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminated/);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(res.headers['x-request-id']).toBe(error.requestId);
}

// Like the 'postgres' entry of testBackends: these exist only where a real server is given
// (TEST_DATABASE_URL, which CI sets); PGlite is in-process and cannot become unreachable.
const outageBackends = testBackends.filter((backend) => backend === 'postgres');

describe.each(outageBackends)('PostgreSQL outage and recovery (%s)', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let database: Database;
  let built: BuiltApp;
  let session: { cookie: string; csrf: string };
  const poolErrors: Error[] = [];
  /** Errors nobody handled: in the real process (main.ts) each of these would crash the server. */
  const unhandled: string[] = [];
  const onUncaught = (error: Error) => void unhandled.push(`uncaughtException: ${error.stack ?? error.message}`);
  const onRejection = (error: unknown) =>
    void unhandled.push(`unhandledRejection: ${(error as Error)?.stack ?? String(error)}`);
  let counter = 0;

  const request = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, withSession = true) =>
    built.app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      headers: withSession ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {},
    });
  const createPartner = () => {
    const slug = `outage-${++counter}-${randomBytes(3).toString('hex')}`;
    return request('POST', '/v1/partners', { name: `Outage ${slug}`, slug });
  };

  /** Poll until fn holds or the deadline passes; returns whether it held. */
  async function eventually(fn: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await fn()) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onUncaught);
    testDb = await createTestDatabase('postgres');
    const target = new URL(testDb.url ?? '');
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const proxied = new URL(target.toString());
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    database = await openDatabase({
      databaseUrl: proxied.toString(),
      poolSize: 4,
      onPoolError: (error) => void poolErrors.push(error),
    });
    built = await buildApp({ config: testConfig(), database });
    await built.app.ready();

    const email = `outage-${randomBytes(4).toString('hex')}@test.example`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const { token } = await built.services.accounts.invite(SYSTEM_ACTOR, { email, role: 'admin', expiresInHours: 1 });
    await built.services.accounts.acceptInvitation(SYSTEM_ACTOR, { token, name: 'Outage admin', password });
    const login = await built.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'osiris_session');
    if (!cookie) throw new Error('login set no session cookie');
    session = { cookie: `osiris_session=${cookie.value}`, csrf: (login.json() as { csrfToken: string }).csrfToken };
  }, 120_000);

  afterAll(async () => {
    await built?.app.close();
    await database?.close().catch(() => undefined);
    await proxy?.stop();
    await testDb?.drop();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onUncaught);
  });

  it('works through the proxy before the outage', async () => {
    expect((await request('GET', '/readyz', undefined, false)).statusCode).toBe(200);
    expect((await createPartner()).statusCode).toBe(201);
    expect((await request('GET', '/v1/partners')).statusCode).toBe(200);
    expect(proxy.connections).toBeGreaterThan(0);
  });

  it('answers 503 while the database is gone, stays alive, and recovers when it is back', async () => {
    // Some requests in flight when the connection is cut: each ends as success or 503, never 500.
    const inFlight = Array.from({ length: 12 }, (_, i) => (i % 2 ? createPartner() : request('GET', '/v1/partners')));
    await proxy.stop();
    for (const res of await Promise.all(inFlight)) {
      expect([200, 201, 503], res.body).toContain(res.statusCode);
      if (res.statusCode === 503) expectUnavailable(res);
    }

    const ready = await request('GET', '/readyz', undefined, false);
    expect(ready.statusCode, ready.body).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', database: 'down' });

    expectUnavailable(await request('GET', '/v1/partners'));
    expectUnavailable(await createPartner());
    expectUnavailable(
      await built.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'x@test.example', password: 'y' },
      }),
    );

    const health = await request('GET', '/healthz', undefined, false);
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });

    // Still down a moment later (no crash, no hang): the pool keeps failing fast.
    const started = Date.now();
    expectUnavailable(await request('GET', '/v1/partners'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect.soft(unhandled, 'an unhandled error would crash the server').toEqual([]);

    await proxy.start();
    const recovered = await eventually(
      async () => (await request('GET', '/readyz', undefined, false)).statusCode === 200,
      15_000,
    );
    expect(recovered, 'readyz did not return to 200 within 15 s').toBe(true);
    expect((await request('GET', '/readyz', undefined, false)).json()).toMatchObject({
      status: 'ready',
      database: 'up',
      migrations: { pending: 0 },
    });

    // The session from before the outage still works, for reads and writes.
    const list = await request('GET', '/v1/partners?limit=200');
    expect(list.statusCode, list.body).toBe(200);
    const created = await createPartner();
    expect(created.statusCode, created.body).toBe(201);
    const slug = (created.json() as { slug: string }).slug;
    const after = await request('GET', '/v1/partners?limit=200');
    expect((after.json() as { items: { slug: string }[] }).items.map((p) => p.slug)).toContain(slug);
    expect.soft(unhandled, 'an unhandled error would crash the server').toEqual([]);
  }, 60_000);

  it('survives a second outage the same way', async () => {
    unhandled.length = 0;
    await proxy.stop();
    expectUnavailable(await request('GET', '/v1/partners'));
    expect((await request('GET', '/readyz', undefined, false)).statusCode).toBe(503);
    await proxy.start();
    expect(
      await eventually(async () => (await request('GET', '/v1/partners')).statusCode === 200, 15_000),
      'requests did not succeed again within 15 s',
    ).toBe(true);
    expect.soft(unhandled, 'an unhandled error would crash the server').toEqual([]);
  }, 60_000);
});

// Runs without TEST_DATABASE_URL too; errors.test.ts covers the error mapping without a database.
describe('outage proxy', () => {
  it('the proxy forwards and cuts connections', async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    const proxy = new TcpProxy('127.0.0.1', (echo.address() as { port: number }).port);
    try {
      await proxy.start();
      const client = connect(proxy.port, '127.0.0.1');
      const echoed = await new Promise<string>((resolve, reject) => {
        client.once('data', (data) => resolve(data.toString()));
        client.once('error', reject);
        client.write('ping');
      });
      expect(echoed).toBe('ping');
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.on('error', () => undefined);
      await proxy.stop();
      await closed;
      const refused = await new Promise<string>((resolve) => {
        const again = connect(proxy.port, '127.0.0.1');
        again.once('connect', () => resolve('connected'));
        again.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      await proxy.start();
      const back = connect(proxy.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        back.once('connect', () => resolve());
        back.once('error', reject);
      });
      back.destroy();
    } finally {
      await proxy.stop();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
