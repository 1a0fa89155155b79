import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError } from '@connectrpc/connect';
import { AGENT_PROTOCOL_VERSION } from '@osiris/protocol/agent-proto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentClient,
  agentHeader,
  derToPem,
  enrollAgent,
  fetchPinnedCaPem,
  makeCsr,
  startTestAgentServer,
  type TestAgentServer,
} from './agent-server.testkit';
import { createEnrollmentTokens } from './enrollment-tokens';
import { loadOrCreateSiteCa } from './site-ca';

const HOUR_MS = 3_600_000;

async function codeOf(call: Promise<unknown>): Promise<Code | 'ok'> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** Sends one raw gRPC frame (5-byte prefix + `payload`) and returns the grpc-status the server answers. */
function rawGrpcStatus(server: TestAgentServer, path: string, payload: Buffer, declaredLength = payload.length) {
  return new Promise<number>((resolve, reject) => {
    const session = http2.connect(server.url, { ca: server.ca.caPem });
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let status: string | undefined;
    stream.on('response', (headers) => {
      status ??= headers['grpc-status'] as string | undefined;
    });
    stream.on('trailers', (trailers) => {
      status ??= trailers['grpc-status'] as string | undefined;
    });
    stream.on('error', () => undefined);
    stream.on('close', () => {
      session.close();
      if (status === undefined) reject(new Error('no grpc-status'));
      else resolve(Number(status));
    });
    stream.resume();
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(declaredLength, 1);
    stream.end(Buffer.concat([prefix, payload]));
  });
}

describe('agent endpoint refusals', () => {
  let server: TestAgentServer;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await server?.close();
  });

  it('refuses a reused, expired or revoked enrollment token with UNAUTHENTICATED and logs no secret', async () => {
    server = await startTestAgentServer();
    const once = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    await enrollAgent(server, once.token);
    expect(await codeOf(enrollAgent(server, once.token))).toBe(Code.Unauthenticated);
    const past = createEnrollmentTokens({ agents: server.agents, now: () => new Date(Date.now() - 2 * HOUR_MS) });
    const expired = past.create({ maxUses: 5, ttlMs: HOUR_MS });
    expect(await codeOf(enrollAgent(server, expired.token))).toBe(Code.Unauthenticated);
    const revoked = server.tokens.create({ maxUses: 5, ttlMs: HOUR_MS });
    expect(server.tokens.revoke(revoked.tokenId)).toBe(true);
    expect(await codeOf(enrollAgent(server, revoked.token))).toBe(Code.Unauthenticated);
    expect(await codeOf(enrollAgent(server, 'osiris-enroll-not-a-token'))).toBe(Code.Unauthenticated);

    const refusals = server.logLines
      .filter((line) => line.includes('agent enrollment refused'))
      .map((l) => JSON.parse(l));
    expect(refusals.map((r) => r.reason)).toEqual(['exhausted', 'expired', 'revoked', 'unknown']);
    const log = server.logLines.join('');
    for (const secret of [once.token, expired.token, revoked.token]) expect(log).not.toContain(secret);
    expect(server.agents.listAgents()).toHaveLength(1);
  });

  it('is refused by a client that pins another CA, before any token is sent', async () => {
    server = await startTestAgentServer();
    const otherDir = mkdtempSync(join(tmpdir(), 'osiris-other-ca-'));
    cleanups.push(() => rmSync(otherDir, { recursive: true, force: true }));
    const otherCa = await loadOrCreateSiteCa(otherDir, { siteId: 'other' });
    await expect(fetchPinnedCaPem(server.url, otherCa.fingerprint)).rejects.toThrow(/pinned fingerprint/);
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const { csrDer } = await makeCsr();
    const wrong = agentClient(server.url, { caPem: otherCa.caPem });
    cleanups.push(wrong.close);
    const code = await codeOf(
      wrong.client.enroll({ enrollmentToken: token, csrDer, protocolVersion: AGENT_PROTOCOL_VERSION }),
    );
    expect(code).not.toBe('ok');
    expect(server.tokens.list()[0]?.uses).toBe(0);
  });

  it('refuses calls without a client certificate, with another CA’s, an expired, a revoked or another agent’s', async () => {
    server = await startTestAgentServer();
    const { token } = server.tokens.create({ maxUses: 3, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token);
    const header = agentHeader(agent.agentId);

    const anonymous = agentClient(server.url, { caPem: server.ca.caPem });
    cleanups.push(anonymous.close);
    expect(await codeOf(anonymous.client.heartbeat({ header }))).toBe(Code.Unauthenticated);

    // Same agent id, signed by a CA that is not this site's.
    const otherDir = mkdtempSync(join(tmpdir(), 'osiris-other-ca-'));
    cleanups.push(() => rmSync(otherDir, { recursive: true, force: true }));
    const otherCa = await loadOrCreateSiteCa(otherDir, { siteId: 'other' });
    const { csrDer, keyPem } = await makeCsr();
    const forged = await otherCa.issueClientCertificate(csrDer, agent.agentId, HOUR_MS);
    const forger = agentClient(server.url, { caPem: server.ca.caPem, certPem: forged.pem, keyPem });
    cleanups.push(forger.close);
    expect(await codeOf(forger.client.heartbeat({ header }))).toBe(Code.Unauthenticated);

    const { client, close } = agent.connect();
    cleanups.push(close);
    const other = await enrollAgent(server, token);
    expect(await codeOf(client.heartbeat({ header: agentHeader(other.agentId) }))).toBe(Code.PermissionDenied);
    expect(await codeOf(client.heartbeat({ header }))).toBe('ok');
    // Revocation is checked on every call, also on a connection that is already open.
    expect(server.agents.revokeAgent(agent.agentId, new Date())).toBe(true);
    expect(await codeOf(client.heartbeat({ header }))).toBe(Code.PermissionDenied);
    expect(server.logLines.some((l) => l.includes('revoked agent certificate refused'))).toBe(true);
  });

  it('refuses an expired client certificate', async () => {
    server = await startTestAgentServer({ clientCertificateValidityMs: 1_000 });
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token);
    await sleep(1_500);
    const { client, close } = agent.connect();
    cleanups.push(close);
    expect(await codeOf(client.heartbeat({ header: agentHeader(agent.agentId) }))).toBe(Code.Unauthenticated);
    expect(server.logLines.some((l) => l.includes('CERT_HAS_EXPIRED'))).toBe(true);
  });

  it('answers oversized, out-of-bounds and malformed messages with gRPC error statuses', async () => {
    server = await startTestAgentServer();
    const { csrDer } = await makeCsr();
    const anonymous = agentClient(server.url, { caPem: server.ca.caPem });
    cleanups.push(anonymous.close);
    const enroll = (enrollmentToken: string) =>
      anonymous.client.enroll({ enrollmentToken, csrDer, protocolVersion: AGENT_PROTOCOL_VERSION });
    expect(await codeOf(enroll('x'.repeat(20_000)))).toBe(Code.ResourceExhausted);
    expect(await codeOf(enroll('x'.repeat(257)))).toBe(Code.InvalidArgument);
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const badCsr = anonymous.client.enroll({
      enrollmentToken: token,
      csrDer: new Uint8Array([1, 2, 3]),
      protocolVersion: AGENT_PROTOCOL_VERSION,
    });
    expect(await codeOf(badCsr)).toBe(Code.InvalidArgument);
    expect(server.tokens.list()[0]?.uses).toBe(0);

    const enrollPath = '/osiris.agent.v1.AgentService/Enroll';
    expect(await rawGrpcStatus(server, enrollPath, Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(Code.InvalidArgument);
    // A frame that announces more than the method allows is refused from its length prefix alone.
    expect(await rawGrpcStatus(server, enrollPath, Buffer.alloc(16), 64 * 1024 * 1024)).toBe(Code.ResourceExhausted);

    const agent = await enrollAgent(server, server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS }).token);
    const { client, close } = agent.connect();
    cleanups.push(close);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ seq: BigInt(i + 1), checkId: 'a', status: 1 }));
    expect(await codeOf(client.reportResults({ header: agentHeader(agent.agentId), results: tooMany }))).toBe(
      Code.InvalidArgument,
    );
  });

  it('limits connections and request rate per agent', async () => {
    server = await startTestAgentServer({
      limits: { maxConnectionsPerAgent: 2, requestBurstPerAgent: 4, requestsPerMinutePerAgent: 1 },
    });
    const agent = await enrollAgent(server, server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS }).token);
    const header = agentHeader(agent.agentId);
    const [a, b, c] = [agent.connect(), agent.connect(), agent.connect()];
    for (const conn of [a, b, c]) cleanups.push(conn.close);
    expect(await codeOf(a.client.heartbeat({ header }))).toBe('ok');
    expect(await codeOf(b.client.heartbeat({ header }))).toBe('ok');
    expect(await codeOf(c.client.heartbeat({ header }))).toBe(Code.ResourceExhausted);
    a.close();
    c.close();
    await sleep(200);
    const d = agent.connect();
    cleanups.push(d.close);
    expect(await codeOf(d.client.heartbeat({ header }))).toBe('ok');
    // A burst of 4 calls, refilled at 1 a minute: the fifth accepted connection's call is over the rate.
    expect(await codeOf(d.client.heartbeat({ header }))).toBe('ok');
    expect(await codeOf(d.client.heartbeat({ header }))).toBe(Code.ResourceExhausted);
    expect(derToPem(agent.enrolled.clientCertificateDer)).toContain('BEGIN CERTIFICATE');
  });
});
