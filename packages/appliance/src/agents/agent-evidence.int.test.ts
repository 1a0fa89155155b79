import { base64UrlToBytes, type SignedEvidenceBundle, verifyChain } from '@osiris/protocol';
import { CheckStatus, HealStatus } from '@osiris/protocol/agent-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { createAgentConfigSource } from './agent-config';
import { createAgentEvidencePump } from './agent-evidence';
import { agentHeader, enrollAgent, startTestAgentServer, type TestAgentServer } from './agent-server.testkit';
import { applySetAgentTier } from './set-agent-tier.order';

const HOUR_MS = 3_600_000;
const WINDOWS_HOST = { hostname: 'frontdesk-02', osFamily: 1, machineId: 'mw-2' };
const BASE_SECONDS = 1_800_000_000n;

const servers: TestAgentServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Parameters<typeof startTestAgentServer>[0] = {}) {
  const server = await startTestAgentServer(options);
  servers.push(server);
  return server;
}

/** A result as the agent sends it: detected `seq` minutes after the base time, with nanoseconds. */
const result = (seq: number, status: CheckStatus, checkId = 'screen_lock') => ({
  seq: BigInt(seq),
  checkId,
  status,
  detectedAt: { seconds: BASE_SECONDS + BigInt(seq * 60), nanos: 123_456_789 },
  observed: { timeout_seconds: status === CheckStatus.PASS ? '600' : '0' },
  expected: 'screen locks within 15 minutes',
  actual: status === CheckStatus.PASS ? 'locks after 600 s' : 'never locks',
  ...(status === CheckStatus.UNSUPPORTED ? { error: { code: 'UNSUPPORTED_PLATFORM', message: 'no session' } } : {}),
});
const detectedIso = (seq: number) => new Date(Number(BASE_SECONDS + BigInt(seq * 60)) * 1000 + 123).toISOString();

const bundles = (server: TestAgentServer): SignedEvidenceBundle[] => server.store.evidence.pending(1000);

describe('agent results as evidence', () => {
  it('writes each stored result once, in receive order, with the agent detection time, on a valid chain', async () => {
    const server = await start();
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token, WINDOWS_HOST);
    const { client, close } = agent.connect();
    const header = agentHeader(agent.agentId);
    try {
      await client.reportResults({ header, results: [result(1, CheckStatus.PASS), result(2, CheckStatus.FAIL)] });
      // A retry overlapping what was stored, then (after an outage) a later seq before earlier ones.
      await client.reportResults({ header, results: [result(2, CheckStatus.FAIL), result(3, CheckStatus.PASS)] });
      await client.reportResults({ header, results: [result(6, CheckStatus.FAIL)] });
      await client.reportResults({
        header,
        results: [result(4, CheckStatus.UNSUPPORTED), result(5, CheckStatus.ERROR, 'disk_encryption')],
      });
      await server.pump.flush();
    } finally {
      close();
    }

    const written = bundles(server).map((b) => b.bundle);
    expect(written.map((b) => b.observed.agentSeq)).toEqual([1, 2, 3, 6, 5]);
    expect(written.map((b) => b.status)).toEqual(['pass', 'fail', 'pass', 'fail', 'error']);
    expect(written.map((b) => b.checkId)).toEqual([
      'windows.workstation.screen-lock',
      'windows.workstation.screen-lock',
      'windows.workstation.screen-lock',
      'windows.workstation.screen-lock',
      'windows.workstation.disk-encryption',
    ]);
    for (const bundle of written) {
      const seq = Number(bundle.observed.agentSeq);
      expect(bundle.hostId).toBe(agent.agentId);
      expect(bundle.hostname).toBe('frontdesk-02');
      expect(bundle.startedAt).toBe(detectedIso(seq));
      expect(bundle.finishedAt).toBe(detectedIso(seq));
      expect(bundle.observed.agentDetectedAt).toMatch(/\.123456789Z$/);
    }
    expect(written[1]?.observed).toMatchObject({ reason: 'never locks', timeout_seconds: '0' });
    expect(server.pump.counts()).toMatchObject({ written: 5, unsupported: 1 });
    const report = await verifyChain(bundles(server), base64UrlToBytes(server.key.publicKey));
    expect(report).toMatchObject({ ok: true, count: 5 });

    // A failing result opened an incident for the workstation, like the appliance's own checks.
    expect(server.incidents.listOpen()).toEqual([
      expect.objectContaining({ hostId: agent.agentId, checkId: 'windows.workstation.screen-lock' }),
    ]);
  });

  it('does not write a result again after a restart, and writes what was stored but not yet written', async () => {
    const server = await start();
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token, WINDOWS_HOST);
    const { client, close } = agent.connect();
    try {
      await client.reportResults({ header: agentHeader(agent.agentId), results: [result(1, CheckStatus.PASS)] });
      await server.pump.flush();
    } finally {
      close();
    }
    // Stored by the endpoint while the evidence side was down (no pump ran for it).
    server.results.storeBatch(
      agent.agentId,
      [
        {
          kind: 'result',
          result: {
            agentId: agent.agentId,
            seq: 2,
            checkId: 'firewall',
            status: 'FAIL',
            detectedAt: '2027-01-15T08:00:00.5Z',
            receivedAt: new Date().toISOString(),
            body: JSON.stringify({ seq: '2', checkId: 'firewall', status: 'CHECK_STATUS_FAIL', actual: 'off' }),
          },
        },
      ],
      new Date().toISOString(),
    );
    const restarted = createAgentEvidencePump({
      store: server.store,
      results: server.results,
      writer: server.writer,
      incidents: server.incidents,
      log: createLogger('error', () => undefined),
    });
    expect(await restarted.flush()).toBe(1);
    expect(await restarted.flush()).toBe(0);
    const written = bundles(server).map((b) => b.bundle);
    expect(written.map((b) => [b.observed.agentSeq, b.checkId, b.startedAt])).toEqual([
      [1, 'windows.workstation.screen-lock', detectedIso(1)],
      [2, 'windows.workstation.firewall', '2027-01-15T08:00:00.500Z'],
    ]);
  });

  it('records an agent heal result as a healing bundle and an attempt on the incident, once', async () => {
    const server = await start();
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token, WINDOWS_HOST);
    const { client, close } = agent.connect();
    const header = agentHeader(agent.agentId);
    try {
      await client.reportResults({ header, results: [result(1, CheckStatus.FAIL)] });
      await server.pump.flush();
      const incident = server.incidents.listOpen()[0];
      expect(incident?.hostId).toBe(agent.agentId);
      const queued = server.service.queueHealCommand({
        agentId: agent.agentId,
        runbookId: 'RB-WIN-SCREENLOCK-001',
        checkId: 'screen_lock',
        requiredTier: 'self_heal',
        timeoutSeconds: 60,
        ttlSeconds: 600,
        incidentId: incident?.incidentId ?? '',
      });
      if (!queued.ok) throw new Error(queued.message);
      const healResult = {
        commandId: queued.commandId,
        runbookId: 'RB-WIN-SCREENLOCK-001',
        checkId: 'screen_lock',
        status: HealStatus.SUCCEEDED,
        before: { status: CheckStatus.FAIL, actual: 'never locks' },
        after: { status: CheckStatus.PASS, actual: 'locks after 600 s' },
        startedAt: { seconds: BASE_SECONDS + 600n, nanos: 0 },
        finishedAt: { seconds: BASE_SECONDS + 605n, nanos: 0 },
        output: 'set InactivityTimeoutSecs=600',
        artifacts: { recovery_key: 'secret-123' },
      };
      expect((await client.reportHealResult({ header, result: healResult })).alreadyRecorded).toBe(false);
      expect((await client.reportHealResult({ header, result: healResult })).alreadyRecorded).toBe(true);
      await server.pump.flush();

      const healing = bundles(server)
        .map((b) => b.bundle)
        .filter((b) => b.kind === 'healing');
      expect(healing).toHaveLength(1);
      expect(healing[0]).toMatchObject({
        hostId: agent.agentId,
        hostname: 'frontdesk-02',
        checkId: 'windows.workstation.screen-lock',
        status: 'pass',
        startedAt: new Date(Number(BASE_SECONDS + 600n) * 1000).toISOString(),
        finishedAt: new Date(Number(BASE_SECONDS + 605n) * 1000).toISOString(),
        observed: expect.objectContaining({
          commandId: queued.commandId,
          outcome: 'SUCCEEDED',
          before: { status: 'fail', actual: 'never locks' },
          after: { status: 'pass', actual: 'locks after 600 s' },
        }),
      });
      expect(JSON.stringify(bundles(server))).not.toContain('secret-123');
      expect(server.incidents.attempts(incident?.incidentId ?? '')).toEqual([
        expect.objectContaining({
          attemptId: queued.commandId,
          outcome: 'success',
          runbookId: 'RB-WIN-SCREENLOCK-001',
        }),
      ]);
      const report = await verifyChain(bundles(server), base64UrlToBytes(server.key.publicKey));
      expect(report).toMatchObject({ ok: true, count: 2 });
    } finally {
      close();
    }
  });
});

describe('set_agent_tier order', () => {
  it('applies a newer tier to the next heartbeat, ignores an older one, and keeps it across restarts', async () => {
    const server = await start({ config: { tier: 'monitor_only' } });
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: HOUR_MS });
    const agent = await enrollAgent(server, token);
    const deps = { store: server.store, agentConfig: server.config };
    const { client, close } = agent.connect();
    try {
      const before = server.config.current().version;
      expect(applySetAgentTier(deps, { asOf: '2026-12-01T10:00:00.000Z', tier: 'full_remediation' })).toMatchObject({
        ok: true,
      });
      const beat = await client.heartbeat({ header: agentHeader(agent.agentId), configVersion: before });
      expect(beat.config?.tier).toBe(3);
      const older = applySetAgentTier(deps, { asOf: '2026-12-01T09:00:00.000Z', tier: 'monitor_only' });
      expect(older).toMatchObject({ ok: true, detail: expect.stringContaining('ignored') });
      expect(server.config.current().tier).toBe('full_remediation');
      const quiet = await client.heartbeat({
        header: agentHeader(agent.agentId),
        configVersion: server.config.current().version,
      });
      expect(quiet.config).toBeUndefined();
    } finally {
      close();
    }
    // A restart reads the held tier back, over the config file's.
    const reopened = createAgentConfigSource({
      store: server.store,
      base: { tier: 'monitor_only', heartbeatIntervalSeconds: 60, resultsIntervalSeconds: 300, checks: [] },
    });
    expect(reopened.current().tier).toBe('full_remediation');
    const withoutEndpoint = applySetAgentTier(
      { store: server.store, agentConfig: null },
      { asOf: '2026-12-01T11:00:00.000Z', tier: 'self_heal' },
    );
    expect(withoutEndpoint.ok).toBe(true);
    const again = createAgentConfigSource({
      store: server.store,
      base: { tier: 'monitor_only', heartbeatIntervalSeconds: 60, resultsIntervalSeconds: 300, checks: [] },
    });
    expect(again.current().tier).toBe('self_heal');
  });
});
