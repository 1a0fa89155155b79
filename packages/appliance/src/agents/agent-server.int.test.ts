import { Code, ConnectError } from '@connectrpc/connect';
import { CapabilityTier, CheckStatus, HealStatus, ResultTrigger } from '@osiris/protocol/agent-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agentClient,
  agentHeader,
  derToPem,
  enrollAgent,
  fetchPinnedCaPem,
  makeCsr,
  startTestAgentServer,
  TEST_SITE_ID,
  type TestAgentServer,
} from './agent-server.testkit';
import { createAgentResultsStore } from './agent-results.store';
import { certificateFingerprint } from './site-ca';

const HOUR_MS = 3_600_000;
const detectedAt = (offset: number) => ({ seconds: 1_700_000_000n + BigInt(offset), nanos: 123_456_789 });
const result = (seq: number, status = CheckStatus.FAIL) => ({
  seq: BigInt(seq),
  checkId: 'firewall',
  status,
  detectedAt: detectedAt(seq),
  observed: { profile: 'public' },
  expected: 'firewall on',
  actual: 'firewall off',
  runId: '0b6c3a52-8c55-4f0f-9d1d-3a4f1c2b5e60',
  trigger: ResultTrigger.SCHEDULED,
  durationMs: 12,
});

async function codeOf(call: Promise<unknown>): Promise<Code | 'ok'> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

describe('agent endpoint: enrollment and reporting over mutual TLS', () => {
  let server: TestAgentServer;
  beforeEach(async () => {
    server = await startTestAgentServer();
  });
  afterEach(async () => {
    await server?.close();
  });

  it('enrolls with a token and a pinned CA fingerprint, then heartbeats with the issued certificate', async () => {
    const caPem = await fetchPinnedCaPem(server.url, server.ca.fingerprint);
    expect(
      certificateFingerprint(new Uint8Array(Buffer.from(caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))),
    ).toBe(server.ca.fingerprint);
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token);
    expect(agent.agentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(agent.enrolled.siteId).toBe(TEST_SITE_ID);
    expect(certificateFingerprint(agent.enrolled.caChainDer[0] ?? new Uint8Array())).toBe(server.ca.fingerprint);
    expect(agent.enrolled.config?.tier).toBe(CapabilityTier.SELF_HEAL);
    expect(server.tokens.list()[0]?.uses).toBe(1);
    expect(server.logLines.join('')).not.toContain(token);

    const { client, close } = agent.connect();
    try {
      const first = await client.heartbeat({
        header: agentHeader(agent.agentId),
        configVersion: 0n,
        host: { hostname: 'pc-1b' },
      });
      expect(first.config?.configVersion).toBe(server.config.current().version);
      expect(first.protocolVersion).toBe(1);
      const second = await client.heartbeat({
        header: agentHeader(agent.agentId),
        configVersion: server.config.current().version,
      });
      expect(second.config).toBeUndefined();
      expect(server.agents.agent(agent.agentId)?.lastHeartbeatAt).not.toBeNull();
      // A new tier is a new config version, sent with the next heartbeat.
      server.config.setTier('full_remediation');
      const third = await client.heartbeat({
        header: agentHeader(agent.agentId),
        configVersion: first.config?.configVersion ?? 0n,
      });
      expect(third.config?.tier).toBe(CapabilityTier.FULL_REMEDIATION);
    } finally {
      close();
    }
  });

  it('stores results once per seq, in order, with detected_at as sent, and rejects what it never accepts', async () => {
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token);
    const { client, close } = agent.connect();
    try {
      const header = agentHeader(agent.agentId);
      const batch1 = await client.reportResults({ header, results: [result(1), result(2), result(3)] });
      expect(batch1).toMatchObject({ ackedThroughSeq: 3n, storedCount: 3, duplicateCount: 0, rejected: [] });
      // A retry after a lost response overlaps: old seqs are acknowledged again, not stored twice.
      const batch2 = await client.reportResults({ header, results: [result(2), result(3), result(4)] });
      expect(batch2).toMatchObject({ ackedThroughSeq: 4n, storedCount: 1, duplicateCount: 2 });
      const batch3 = await client.reportResults({
        header,
        results: [result(5, CheckStatus.UNSPECIFIED), result(6, CheckStatus.PASS)],
        queue: { droppedResultsTotal: 2n },
      });
      expect(batch3.ackedThroughSeq).toBe(6n);
      expect(batch3.rejected.map((r) => [r.seq, r.reason?.code])).toEqual([[5n, 'INVALID_STATUS']]);
      expect(batch3.storedCount).toBe(1);

      const stored = server.results.results(agent.agentId);
      expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 6]);
      expect(stored[0]?.detectedAt).toBe('2023-11-14T22:13:21.123456789Z');
      expect(stored.map((r) => r.status)).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL', 'PASS']);
      expect(JSON.parse(stored[0]?.body ?? '{}').observed).toEqual({ profile: 'public' });

      expect(await codeOf(client.reportResults({ header, results: [result(8), result(7)] }))).toBe(
        Code.InvalidArgument,
      );
      expect(await codeOf(client.reportResults({ header, results: [] }))).toBe(Code.InvalidArgument);
      expect(server.results.results(agent.agentId, 6)).toEqual([]);
    } finally {
      close();
    }
  });

  it('delivers heal commands the tier allows until their result arrives, and renews certificates', async () => {
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token);
    const command = { agentId: agent.agentId, runbookId: 'RB-LIN-FW-001', checkId: 'firewall', timeoutSeconds: 60 };
    expect(
      server.service.queueHealCommand({ ...command, requiredTier: 'full_remediation', ttlSeconds: 600 }),
    ).toMatchObject({
      ok: false,
      code: 'TIER_NOT_ALLOWED',
    });
    const queued = server.service.queueHealCommand({ ...command, requiredTier: 'self_heal', ttlSeconds: 600 });
    if (!queued.ok) throw new Error(queued.message);
    const runId = server.service.requestCheckRun(agent.agentId, ['firewall']);
    // Stored in the appliance database: a second store over it (as after a restart) sees it.
    expect(createAgentResultsStore(server.store.db).pendingCheckRun(agent.agentId, new Date())).toMatchObject({
      runId,
      checkIds: ['firewall'],
    });
    expect(server.results.pendingCheckRun(agent.agentId, new Date(Date.now() + 2 * HOUR_MS))).toBeNull();

    const { client, close } = agent.connect();
    try {
      const header = agentHeader(agent.agentId);
      const beat = await client.heartbeat({ header });
      expect(beat.healCommands.map((c) => [c.commandId, c.requiredTier, c.runbookId])).toEqual([
        [queued.commandId, CapabilityTier.SELF_HEAL, 'RB-LIN-FW-001'],
      ]);
      expect(beat.checkRun).toMatchObject({ runId, checkIds: ['firewall'] });
      const running = await client.heartbeat({ header, runningCommandIds: [queued.commandId] });
      expect(running.healCommands).toEqual([]);
      // The check run request stays until results carrying its run id arrive.
      expect(running.checkRun).toMatchObject({ runId });
      await client.reportResults({ header, results: [{ ...result(1, CheckStatus.PASS), runId }] });
      expect((await client.heartbeat({ header, runningCommandIds: [queued.commandId] })).checkRun).toBeUndefined();
      // The site's tier drops: the command stays queued but is no longer sent.
      server.config.setTier('monitor_only');
      expect((await client.heartbeat({ header })).healCommands).toEqual([]);
      server.config.setTier('self_heal');
      expect((await client.heartbeat({ header })).healCommands).toHaveLength(1);

      const healResult = {
        commandId: queued.commandId,
        runbookId: 'RB-LIN-FW-001',
        checkId: 'firewall',
        status: HealStatus.SUCCEEDED,
        before: { status: CheckStatus.FAIL, actual: 'off' },
        after: { status: CheckStatus.PASS, actual: 'on' },
        artifacts: { recovery_key: 'secret-value', recovery_key_id: 'k1' },
      };
      expect((await client.reportHealResult({ header, result: healResult })).alreadyRecorded).toBe(false);
      expect((await client.reportHealResult({ header, result: healResult })).alreadyRecorded).toBe(true);
      const recorded = server.results.healCommand(queued.commandId);
      expect(recorded?.resultStatus).toBe('SUCCEEDED');
      expect(recorded?.result).not.toContain('secret-value');
      expect(recorded?.result).toContain('k1');
      expect((await client.heartbeat({ header })).healCommands).toEqual([]);
      expect(
        await codeOf(client.reportHealResult({ header, result: { ...healResult, commandId: crypto.randomUUID() } })),
      ).toBe(Code.NotFound);

      const { csrDer, keyPem } = await makeCsr();
      const renewed = await client.renewCertificate({ header, csrDer });
      const fresh = agentClient(server.url, {
        caPem: server.ca.caPem,
        certPem: derToPem(renewed.clientCertificateDer),
        keyPem,
      });
      try {
        expect(await codeOf(fresh.client.heartbeat({ header }))).toBe('ok');
      } finally {
        fresh.close();
      }
    } finally {
      close();
    }
  });
});
