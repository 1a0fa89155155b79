import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, fromDatabaseError, isDatabaseUnavailable, notFound } from './errors';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

/** The error a real pg client gives when it tries to reach this port. */
async function pgErrorAt(port: number): Promise<Error> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'nobody',
    database: 'none',
    connectionTimeoutMillis: 3_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error('connect unexpectedly succeeded');
}

describe('AppError', () => {
  it('takes its status from the error code and keeps the cause off the message', () => {
    const cause = new Error('secret internals');
    const error = new AppError('CONFLICT', 'Already there', { cause, details: { field: 'slug' }, headers: { a: 'b' } });
    expect(error).toMatchObject({
      code: 'CONFLICT',
      status: 409,
      message: 'Already there',
      details: { field: 'slug' },
    });
    expect(error.headers).toEqual({ a: 'b' });
    expect(error.cause).toBe(cause);
    expect(new AppError('INTERNAL', 'x').headers).toEqual({});
    expect(notFound('Partner')).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'Partner not found' });
  });
});

describe('isDatabaseUnavailable', () => {
  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EHOSTUNREACH',
    '57P01',
    '57P02',
    '57P03',
    '08000',
    '08001',
    '08003',
    '08006',
    '53300',
  ])('is true for code %s', (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(true);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('is true for the pg message "%s"', (message) => {
    expect(isDatabaseUnavailable(new Error(message))).toBe(true);
  });

  it.each([
    ['a unique violation', { code: '23505', message: 'duplicate key' }],
    ['a syntax error', { code: '42601', message: 'syntax error at or near' }],
    ['a missing table', { code: '42P01', message: 'relation does not exist' }],
    ['a plain error', new Error('boom')],
    ['undefined', undefined],
    ['null', null],
    ['an object without code or message', {}],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('fromDatabaseError', () => {
  it('turns an outage into 503 DATABASE_UNAVAILABLE with retry-after, keeping the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const error = fromDatabaseError(cause);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503 });
    expect(error?.headers['retry-after']).toMatch(/^\d+$/);
    expect(error?.message).not.toContain('5432');
    expect(error?.cause).toBe(cause);
  });

  it('turns constraint violations into 409 CONFLICT without leaking the constraint', () => {
    const unique = fromDatabaseError({
      code: '23505',
      constraint: 'partners_slug_key',
      message: 'duplicate key value',
    });
    expect(unique).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(unique?.message).not.toContain('partners_slug_key');
    expect(fromDatabaseError({ code: '23503', constraint: 'sites_practice_id_fkey' })).toMatchObject({
      code: 'CONFLICT',
      status: 409,
    });
  });

  it('leaves every other error unknown', () => {
    expect(fromDatabaseError({ code: '42601' })).toBeUndefined();
    expect(fromDatabaseError(new Error('boom'))).toBeUndefined();
    expect(fromDatabaseError(undefined)).toBeUndefined();
  });
});

describe('real pg client failures are recognised as an outage', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('a refused connection', async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const error = await pgErrorAt(port);
    expect(isDatabaseUnavailable(error), `${(error as { code?: string }).code} ${error.message}`).toBe(true);
    expect(fromDatabaseError(error)?.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('a server that drops the connection', async () => {
    const server = createServer((socket) => socket.destroy());
    servers.push(server);
    const error = await pgErrorAt(await listen(server));
    expect(isDatabaseUnavailable(error), `${(error as { code?: string }).code} ${error.message}`).toBe(true);
  });

  it('a server that never answers (connect timeout)', async () => {
    const held: Socket[] = [];
    const server = createServer((socket) => void held.push(socket));
    servers.push(server);
    const port = await listen(server);
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'nobody',
      database: 'none',
      connectionTimeoutMillis: 300,
    });
    try {
      const error = await pool.query('select 1').then(
        () => new Error('query unexpectedly succeeded'),
        (e: Error) => e,
      );
      expect(isDatabaseUnavailable(error), error.message).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await pool.end().catch(() => undefined);
    }
  });
});
