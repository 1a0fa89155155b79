import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Central Command as users run it: a real process started the way `npm start` does (tsx on
 * src/main.ts), on the embedded database in DATA_DIR, killed and restarted.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// As `npm start` runs it: one node process with tsx as its loader, so signals reach our handlers
// directly (the tsx CLI as a parent SIGKILLs a child that is slow to acknowledge a signal).
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(ROOT, 'packages/central/src/main.ts');
const START_TIMEOUT_MS = 60_000;
const GRACE_MS = 10_000;

interface Server {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128+signal) once the process has exited. */
  exited: Promise<number>;
  exitCode(): number | null;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Central Command as a process (embedded database)', { timeout: 180_000 }, () => {
  let workDir: string;
  let dataDir: string;
  const started: Server[] = [];

  function start(port: number): Server {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? workDir,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    // detached: its own process group, so kill -9 reaches everything it started.
    const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN], {
      cwd: workDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let code: number | null = null;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    const exited = new Promise<number>((resolveExit) => {
      child.once('exit', (exitCode, signal) => {
        code = exitCode ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
        resolveExit(code);
      });
    });
    const server: Server = { child, port, stdout: () => out, stderr: () => err, exited, exitCode: () => code };
    started.push(server);
    return server;
  }

  /** Wait until the output matches, the process exits, or the time runs out. */
  async function waitForOutput(
    server: Server,
    pattern: RegExp,
    timeoutMs = START_TIMEOUT_MS,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = server.stdout().match(pattern);
      if (match) return match;
      if (server.exitCode() !== null) break;
      await sleep(100);
    }
    throw new Error(
      `no ${pattern} within ${timeoutMs} ms (exit ${server.exitCode()})\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`,
    );
  }

  function killGroup(server: Server, signal: NodeJS.Signals): void {
    if (server.exitCode() !== null || server.child.pid === undefined) return;
    try {
      process.kill(-server.child.pid, signal);
    } catch {
      // already gone
    }
  }

  async function waitExit(server: Server, timeoutMs: number): Promise<number | null> {
    return Promise.race([server.exited, sleep(timeoutMs).then(() => null)]);
  }

  interface Session {
    base: string;
    cookie: string;
    csrf: string;
  }

  async function login(base: string, email: string, password: string): Promise<Session> {
    const res = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('osiris_session='));
    expect(cookie, 'login sets the session cookie').toBeDefined();
    const body = JSON.parse(text) as { csrfToken: string; user: { email: string } };
    expect(body.user.email).toBe(email);
    return { base, cookie: cookie ?? '', csrf: body.csrfToken };
  }

  async function listPartnerSlugs(session: Session): Promise<string[]> {
    const slugs: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await fetch(`${session.base}/v1/partners?limit=200${after}`, {
        headers: { cookie: session.cookie },
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const page = JSON.parse(text) as { items: { slug: string }[]; nextCursor: string | null };
      slugs.push(...page.items.map((p) => p.slug));
      cursor = page.nextCursor;
      if (!cursor) return slugs;
    }
    throw new Error('more than 100 pages of partners');
  }

  let first: Server;
  let base: string;
  let admin: { email: string; password: string };
  const confirmed = new Set<string>();
  const attempted = new Set<string>();

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'osiris-process-'));
    dataDir = join(workDir, 'data');
  });

  afterAll(async () => {
    for (const server of started) killGroup(server, 'SIGKILL');
    await Promise.all(started.map((server) => waitExit(server, 10_000)));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('starts, prints its URL and the first admin credentials once, and answers /healthz', async () => {
    first = start(await freePort());
    const [, url] = await waitForOutput(first, /listening on (http:\/\/\S+)/);
    const [, email, password] = await waitForOutput(first, /email:\s+(\S+)\s*\n\s*password:\s+(\S+)/);
    expect(url).toBe(`http://127.0.0.1:${first.port}`);
    base = url ?? '';
    admin = { email: email ?? '', password: password ?? '' };
    expect(admin.email).toBe('admin@osiris.local');
    expect(admin.password.length).toBeGreaterThanOrEqual(16);
    expect(first.stdout()).toContain('embedded PGlite');
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
    // PGlite's own files are 0666: the directories holding them are the owner's alone.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'pgdata')).mode & 0o777).toBe(0o700);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('signs in with the printed credentials', async () => {
    const session = await login(base, admin.email, admin.password);
    const me = await fetch(`${base}/v1/auth/me`, { headers: { cookie: session.cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: admin.email, role: 'admin' } });
  });

  it('refuses a second process on the same data directory', async () => {
    const second = start(await freePort());
    const code = await waitExit(second, START_TIMEOUT_MS);
    expect(code, `stdout:\n${second.stdout()}\nstderr:\n${second.stderr()}`).not.toBeNull();
    expect(code).not.toBe(0);
    expect(second.stderr()).toMatch(/data directory .* is in use/i);
    expect(second.stdout()).not.toMatch(/password:/);
    // The first process is unharmed and still holds the lock.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await login(base, admin.email, admin.password)).csrf).toEqual(expect.any(String));
  });

  it('keeps every acknowledged write through kill -9 during a stream of writes', async () => {
    const session = await login(base, admin.email, admin.password);
    const tag = Date.now().toString(36);
    let next = 0;
    let killed = false;
    let inFlight = 0;
    let inFlightAtKill = 0;
    const KILL_AFTER = 40;
    const MAX_ATTEMPTS = 200;

    async function worker(): Promise<void> {
      while (!killed && next < MAX_ATTEMPTS) {
        const slug = `crash-${tag}-${next++}`;
        attempted.add(slug);
        inFlight++;
        try {
          const res = await fetch(`${base}/v1/partners`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
            body: JSON.stringify({ name: `Crash test ${slug}`, slug }),
            signal: AbortSignal.timeout(20_000),
          });
          const text = await res.text();
          if (res.status === 201) {
            confirmed.add(slug);
          } else if (!killed) {
            throw new Error(`partner create answered ${res.status}: ${text}`);
          }
        } catch (error) {
          if (!killed) throw error;
          return;
        } finally {
          inFlight--;
        }
        if (!killed && confirmed.size >= KILL_AFTER) {
          // Other workers still have requests on the wire.
          killed = true;
          inFlightAtKill = inFlight;
          killGroup(first, 'SIGKILL');
        }
      }
    }

    await Promise.all(Array.from({ length: 4 }, () => worker()));
    if (!killed) {
      killed = true;
      killGroup(first, 'SIGKILL');
    }
    const code = await waitExit(first, 15_000);
    expect(code, 'the process died of kill -9').not.toBeNull();
    expect(confirmed.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(inFlightAtKill, 'requests were in flight when the process was killed').toBeGreaterThan(0);
    // The lock file of the killed process is left behind; the next start must take it over.
    expect(existsSync(join(dataDir, 'osiris.lock'))).toBe(true);
  });

  it('restarts on the same data directory with the same admin and every acknowledged partner', async () => {
    const again = start(await freePort());
    const [, url] = await waitForOutput(again, /listening on (http:\/\/\S+)/);
    base = url ?? '';
    await sleep(200);
    expect(again.stdout()).not.toMatch(/password:/);
    expect(again.stdout()).not.toMatch(/First start/);

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status, await ready.text()).toBe(200);

    const session = await login(base, admin.email, admin.password);
    const present = new Set(await listPartnerSlugs(session));
    const lost = [...confirmed].filter((slug) => !present.has(slug));
    expect(lost, 'partners acknowledged with 201 before kill -9 but missing after restart').toEqual([]);
    // Nothing appears that was never asked for.
    const crashSlugs = [...present].filter((slug) => slug.startsWith('crash-'));
    expect(crashSlugs.filter((slug) => !attempted.has(slug))).toEqual([]);

    // Writes work after the restart too.
    const res = await fetch(`${base}/v1/partners`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
      body: JSON.stringify({ name: 'After restart', slug: `after-restart-${Date.now().toString(36)}` }),
    });
    expect(res.status, await res.text()).toBe(201);

    // The lock now names the new server process.
    const holder = Number(readFileSync(join(dataDir, 'osiris.lock'), 'utf8'));
    expect(() => process.kill(holder, 0)).not.toThrow();
  });

  it('exits 0 on SIGTERM within the grace period and releases the data directory', async () => {
    const running = started.at(-1);
    if (!running) throw new Error('no running server');
    const t0 = Date.now();
    running.child.kill('SIGTERM');
    const code = await waitExit(running, GRACE_MS + 5_000);
    expect(code, `stdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`).toBe(0);
    expect(Date.now() - t0).toBeLessThan(GRACE_MS + 5_000);
    expect(
      existsSync(join(dataDir, 'osiris.lock')),
      `lock left after a clean shutdown\nstdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`,
    ).toBe(false);
  });
});
