import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../checks/run-check';
import { firewallProfilesEnabled } from '../../checks/windows/security/firewall-profiles-enabled';
import { type HostKeyPins, type Target, TargetError } from '../target';
import { createWinrmTarget, type WinrmTargetOptions } from './winrm';
import { selfSignedCertificate, startWinrmStandIn, windowsLikeHandler } from './winrm-server.testkit';

const PASSWORD = 'Winter2026!-not-real';
const HOST_ID = '00000000-0000-4000-8000-000000000001';
const RUN = { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 };

let directory: string;
let certificate: { cert: string; key: string };
let otherCertificate: { cert: string; key: string };
const cleanups: (() => Promise<void>)[] = [];

function memoryPins(initial: Record<string, string> = {}): HostKeyPins & { entries: Map<string, string> } {
  const entries = new Map(Object.entries(initial));
  return {
    entries,
    get: (key) => entries.get(key) ?? null,
    pin: (key, fingerprint) => {
      if (!entries.has(key)) entries.set(key, fingerprint);
    },
  };
}

async function setUp(
  handler: Parameters<typeof startWinrmStandIn>[0]['handler'],
  overrides: Partial<WinrmTargetOptions> = {},
  serverCertificate = certificate,
) {
  const server = await startWinrmStandIn({ certificate: serverCertificate, password: PASSWORD, handler });
  const pins = memoryPins();
  const target: Target = createWinrmTarget({
    hostId: HOST_ID,
    hostname: 'dc01',
    host: '127.0.0.1',
    port: server.port,
    username: 'CORP\\svc-osiris',
    password: PASSWORD,
    pins,
    connectTimeoutMs: 5_000,
    ...overrides,
  });
  cleanups.push(async () => {
    await target.close();
    await server.close();
  });
  return { server, target, pins };
}

async function targetErrorOf(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TargetError)) throw new Error(`expected a TargetError, got ${String(error)}`);
  return error;
}

const actions = (server: { requests: { action: string }[] }): string[] =>
  server.requests.map((r) => r.action.split('/').at(-1) ?? '');

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'osiris-winrm-'));
  certificate = selfSignedCertificate(directory, 'dc01');
  otherCertificate = selfSignedCertificate(directory, 'impostor');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('winrm target against a recorded-format WS-Management service', () => {
  it('runs a Windows check over NTLMv2 through the whole shell lifecycle and pins the certificate', async () => {
    const { server, target, pins } = await setUp(windowsLikeHandler());
    const result = await runCheck(target, firewallProfilesEnabled, { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 });
    expect(result.status).toBe('pass');
    expect(result.reason).toMatch(/on for the Domain, Private and Public profiles/);
    // Create, Command, Receive ("nothing yet" fault, then two chunks), Signal terminate, Delete.
    expect(actions(server)).toEqual(['Create', 'Command', 'Receive', 'Receive', 'Receive', 'Signal', 'Delete']);
    const command = server.requests.find((r) => r.action.endsWith('/Command'));
    expect(command?.script).toBe(firewallProfilesEnabled.collector);
    expect(command?.body).toContain('<rsp:Command>powershell.exe</rsp:Command>');
    expect(
      server.requests.every(
        (r) => r.shellId === '0A8C0F2D-5B3E-4E7A-9C1D-2F6B8E4A1C30' || r.action.endsWith('/Create'),
      ),
    ).toBe(true);
    // One NTLM handshake, checked by the server against the password, on one connection.
    expect(server.ntlm).toMatchObject({
      negotiates: 1,
      rejected: 0,
      authenticated: [{ user: 'svc-osiris', domain: 'CORP' }],
    });
    expect(server.connections).toBe(1);
    expect([...pins.entries.keys()]).toEqual([`https://127.0.0.1:${server.port}`]);
    expect([...pins.entries.values()][0]).toMatch(/^SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('keeps the authenticated connection for the next run and reports stdout, stderr and the exit code', async () => {
    const { server, target } = await setUp(windowsLikeHandler());
    await target.run('Write-Output 1', RUN);
    const second = await target.run('Write-Output 2', RUN);
    expect(second.exitCode).toBe(0);
    expect(JSON.parse(second.stdout).profiles).toHaveLength(3);
    expect(second.stderr).toBe('WARNING: test stderr line\r\n');
    expect(server.ntlm.negotiates).toBe(1);
    expect(server.connections).toBe(1);
  });

  it('fails with AUTH_FAILED when the server rejects the NTLMv2 response', async () => {
    const { server, target } = await setUp(windowsLikeHandler(), { password: 'wrong password' });
    const error = await targetErrorOf(target.run('Write-Output 1', RUN));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain('refused NTLM authentication for CORP\\svc-osiris');
    expect(error.message).not.toContain('wrong password');
    expect(server.ntlm.rejected).toBe(1);
    expect(server.requests).toHaveLength(0);
  });

  it('turns a WS-Management fault into a clear error and still deletes the shell', async () => {
    const { server, target } = await setUp(windowsLikeHandler({ command: { fixture: 'access-denied.fault.xml' } }));
    const error = await targetErrorOf(target.run('Write-Output 1', RUN));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toBe('dc01: WinRM fault 5 (w:AccessDenied): Access is denied.');
    expect(actions(server)).toEqual(['Create', 'Command', 'Delete']);
  });

  it('stops a command that outlives the run timeout: terminates it and deletes the shell', async () => {
    const { server, target } = await setUp(windowsLikeHandler({ receive: 'hang' }));
    const started = Date.now();
    const error = await targetErrorOf(target.run('Start-Sleep 3600', { ...RUN, timeoutMs: 1_000 }));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(actions(server)).toEqual(['Create', 'Command', 'Receive', 'Signal', 'Delete']);
    // The hanging Receive's connection was dropped; clean-up authenticated a new one.
    expect(server.ntlm.negotiates).toBe(2);
    const signal = server.requests.find((r) => r.action.endsWith('/Signal'));
    expect(signal?.body).toContain('/windows/shell/signal/terminate');
  });

  it('fails with OUTPUT_TOO_LARGE beyond maxOutputBytes and cleans up', async () => {
    const { server, target } = await setUp(windowsLikeHandler());
    const error = await targetErrorOf(target.run('Write-Output 1', { ...RUN, maxOutputBytes: 64 }));
    expect(error.code).toBe('OUTPUT_TOO_LARGE');
    expect(actions(server).slice(-2)).toEqual(['Signal', 'Delete']);
  });

  it('refuses a server whose certificate differs from the pinned one, before sending anything', async () => {
    const server = await startWinrmStandIn({
      certificate: otherCertificate,
      password: PASSWORD,
      handler: windowsLikeHandler(),
    });
    const pins = memoryPins({ [`https://127.0.0.1:${server.port}`]: 'SHA256:00:11:22' });
    const mismatches: unknown[] = [];
    const target = createWinrmTarget({
      hostId: HOST_ID,
      hostname: 'dc01',
      host: '127.0.0.1',
      port: server.port,
      username: 'CORP\\svc-osiris',
      password: PASSWORD,
      pins,
      connectTimeoutMs: 5_000,
      onCertificateMismatch: (info) => mismatches.push(info),
    });
    cleanups.push(async () => {
      await target.close();
      await server.close();
    });
    const result = await runCheck(target, firewallProfilesEnabled, { timeoutMs: 10_000, maxOutputBytes: 65_536 });
    expect(result.status).toBe('error');
    expect(result.observed).toEqual({ targetError: 'HOST_KEY_CHANGED' });
    expect(result.reason).toMatch(/TLS certificate/);
    expect(mismatches).toEqual([
      expect.objectContaining({ endpoint: `https://127.0.0.1:${server.port}`, pinned: 'SHA256:00:11:22' }),
    ]);
    expect(server.ntlm.negotiates).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(pins.get(`https://127.0.0.1:${server.port}`)).toBe('SHA256:00:11:22');
  });

  it('refuses to follow a redirect before authentication: the NTLM response is never sent', async () => {
    const server = await startWinrmStandIn({
      certificate,
      password: PASSWORD,
      handler: windowsLikeHandler(),
      redirectTo: 'https://elsewhere.example/wsman',
    });
    const target = createWinrmTarget({
      hostId: HOST_ID,
      hostname: 'dc01',
      host: '127.0.0.1',
      port: server.port,
      username: 'CORP\\svc-osiris',
      password: PASSWORD,
      pins: memoryPins(),
      connectTimeoutMs: 5_000,
    });
    cleanups.push(async () => {
      await target.close();
      await server.close();
    });
    const error = await targetErrorOf(target.run('Write-Output 1', RUN));
    expect(error.code).toBe('FAILED');
    expect(error.message).toMatch(/redirected to https:\/\/elsewhere\.example\/wsman; redirects are refused/);
    expect(server.httpRequests).toBe(1);
  });

  it('refuses a redirect of an authenticated request', async () => {
    const { server, target } = await setUp(() => ({
      status: 307,
      headers: { Location: 'https://elsewhere.example/x' },
    }));
    const error = await targetErrorOf(target.run('Write-Output 1', RUN));
    expect(error.code).toBe('FAILED');
    expect(error.message).toMatch(/redirects are refused/);
    expect(actions(server)).toEqual(['Create']);
    expect(server.httpRequests).toBe(2); // NEGOTIATE, then AUTHENTICATE carrying the Create envelope; nothing followed
  });
});
