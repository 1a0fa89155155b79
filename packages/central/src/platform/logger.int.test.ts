import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { SYSTEM_ACTOR } from './context';
import { createTestDatabase, type TestDatabase, testConfig } from '../testing';

describe('request logs', () => {
  let testDb: TestDatabase;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
  });
  afterAll(() => testDb.drop());

  it('carry request ids but never passwords, session cookies or CSRF tokens', async () => {
    const { app, services } = await buildApp({
      config: testConfig({ LOG_LEVEL: 'trace' }),
      database: testDb.database,
      logStream: sink,
    });
    const password = 'logged-never-passphrase-73';
    const { token } = await services.accounts.invite(SYSTEM_ACTOR, {
      email: 'logs@test.example',
      role: 'admin',
      expiresInHours: 1,
    });
    const accepted = await app.inject({
      method: 'POST',
      url: '/v1/auth/invitations/accept',
      payload: { token, name: 'Logs', password },
    });
    expect(accepted.statusCode).toBe(201);
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'logs@test.example', password },
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'osiris_session')?.value ?? '';
    const csrf = login.json().csrfToken as string;
    const created = await app.inject({
      method: 'POST',
      url: '/v1/partners',
      headers: { cookie: `osiris_session=${cookie}`, 'x-csrf-token': csrf, authorization: 'Bearer should-not-appear' },
      payload: { name: 'Logged MSP', slug: 'logged' },
    });
    expect(created.statusCode).toBe(201);
    await app.close();

    const text = lines.join('');
    expect(text).toContain(String(created.headers['x-request-id']));
    expect(text).toContain('[redacted]');
    for (const secret of [password, cookie, csrf, token, 'should-not-appear']) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
  });
});
