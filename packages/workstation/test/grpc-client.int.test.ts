import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  AgentHeaderSchema,
  CapabilityTier,
  HealCommandSchema,
  HealStatus,
  HeartbeatRequestSchema,
  ResultTrigger,
} from '@osiris/protocol/agent-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentLoop, defaultAgentConfig } from '../src/agent-loop';
import type { CommandRunner } from '../src/command-runner';
import { createHealExecutor } from '../src/heal/heal-executor';
import { RUNBOOKS } from '../src/heal/runbook-registry';
import { collectHostFacts } from '../src/host-facts';
import type { Logger } from '../src/logger';
import { openAgentDb } from '../src/queue/agent-db';
import { createResultQueue } from '../src/queue/result-queue';
import { createAgentClient, enroll } from '../src/transport/grpc-client';
import { type AgentIdentity, loadIdentity, saveIdentity } from '../src/transport/identity-store';
import { startTestAppliance } from './grpc-test-server';
import { fromFixture, output } from './fixture-output';

const TOKEN = 'site-token-1234567890';
let dir: string;
let appliance: Awaited<ReturnType<typeof startTestAppliance>>;

// Checks read recorded outputs through the runner (the machine's own state is irrelevant here).
const fixtureRun: CommandRunner = async (file) => {
  if (file === 'nft') return fromFixture('linux/nft-default-drop.json');
  if (file === 'lsblk') return fromFixture('linux/lsblk-unencrypted.json');
  return output({ isMissing: true, exitCode: null });
};
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'osiris-agent-grpc-'));
  appliance = await startTestAppliance(dir, { token: TOKEN });
});
afterAll(async () => {
  await appliance.close();
  rmSync(dir, { recursive: true, force: true });
});

const enrollOptions = () => ({
  appliance: appliance.appliance,
  enrollmentToken: TOKEN,
  caFingerprint: appliance.caFingerprint,
  host: collectHostFacts('linux'),
});

describe('gRPC client against a connect-node appliance (mTLS)', () => {
  let identity: AgentIdentity;

  it('refuses an appliance whose CA does not match the pinned fingerprint', async () => {
    await expect(enroll({ ...enrollOptions(), caFingerprint: '0'.repeat(64) })).rejects.toThrow(
      /pinned CA fingerprint/,
    );
  });

  it('gets UNAUTHENTICATED for a wrong enrollment token', async () => {
    const error = await enroll({ ...enrollOptions(), enrollmentToken: 'wrong' }).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.Unauthenticated);
  });

  it('enrolls with the token, stores and reloads its identity', async () => {
    const { identity: enrolled, response } = await enroll(enrollOptions());
    expect(enrolled.agentId).toBe(appliance.state.agentId);
    expect(response.config?.tier).toBe(CapabilityTier.SELF_HEAL);
    expect(new X509Certificate(enrolled.certificatePem).checkPrivateKey(createPrivateKey(enrolled.keyPem))).toBe(true);
    saveIdentity(join(dir, 'agent'), enrolled);
    identity = loadIdentity(join(dir, 'agent')) ?? enrolled;
    expect(identity).toEqual(enrolled);
  });

  it('delivers every result in order with its detection time after an outage and a restart', async () => {
    const client = createAgentClient({ appliance: appliance.appliance }, identity);
    const dbPath = join(dir, 'agent', 'agent.db');
    const build = () => {
      const db = openAgentDb(dbPath);
      const queue = createResultQueue(db);
      const heal = createHealExecutor({
        os: 'linux',
        run: fixtureRun,
        db,
        runbooks: RUNBOOKS,
        tier: () => CapabilityTier.SELF_HEAL,
      });
      const loop = createAgentLoop({
        os: 'linux',
        run: fixtureRun,
        agentId: identity.agentId,
        transport: client.transport,
        queue,
        heal,
        hostFacts: () => collectHostFacts('linux'),
        logger: quiet,
        initialConfig: defaultAgentConfig(['firewall', 'disk_encryption']),
      });
      return { db, queue, loop };
    };
    appliance.state.isReportingDown = true;
    let agent = build();
    await agent.loop.runChecks(ResultTrigger.SCHEDULED);
    await expect(agent.loop.flush()).rejects.toThrow(/busy/);
    await agent.loop.runChecks(ResultTrigger.SCHEDULED);
    const queuedTimes = agent.queue
      .peek(10)
      .map((r) => timestampDate(r.detectedAt ?? timestampFromDate(new Date(0))).toISOString());
    agent.db.close(); // the agent restarts while the appliance is down
    appliance.state.isReportingDown = false;
    agent = build();
    expect(await agent.loop.flush()).toBe(4);
    const received = appliance.state.results;
    expect(received.map((r) => r.seq)).toEqual([1n, 2n, 3n, 4n]);
    expect(received.map((r) => r.checkId)).toEqual(['firewall', 'disk_encryption', 'firewall', 'disk_encryption']);
    expect(received.map((r) => timestampDate(r.detectedAt ?? timestampFromDate(new Date(0))).toISOString())).toEqual(
      queuedTimes,
    );
    expect(agent.queue.stats().queuedResults).toBe(0);
    agent.db.close();
  });

  it('answers an on-demand run and a heal command from the heartbeat', async () => {
    const client = createAgentClient({ appliance: appliance.appliance }, identity);
    const db = openAgentDb(join(dir, 'agent', 'agent.db'));
    const queue = createResultQueue(db);
    const heal = createHealExecutor({
      os: 'linux',
      run: fixtureRun,
      db,
      runbooks: RUNBOOKS,
      tier: () => CapabilityTier.MONITOR_ONLY,
    });
    const loop = createAgentLoop({
      os: 'linux',
      run: fixtureRun,
      agentId: identity.agentId,
      transport: client.transport,
      queue,
      heal,
      hostFacts: () => collectHostFacts('linux'),
      logger: quiet,
      initialConfig: defaultAgentConfig(['firewall']),
    });
    appliance.state.checkRunIds.push('9b0c8a4e-1d2f-4e3a-8b5c-6d7e8f9a0b1c');
    appliance.state.pendingHeal.push(
      create(HealCommandSchema, {
        commandId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
        runbookId: 'LIN-FW-001',
        checkId: 'firewall',
        requiredTier: CapabilityTier.SELF_HEAL,
        timeoutSeconds: 30,
      }),
    );
    await loop.heartbeat();
    await loop.settled();
    const last = appliance.state.results.at(-1);
    expect(last).toMatchObject({
      checkId: 'firewall',
      trigger: ResultTrigger.ON_DEMAND,
      runId: '9b0c8a4e-1d2f-4e3a-8b5c-6d7e8f9a0b1c',
    });
    expect(appliance.state.healResults.at(-1)).toMatchObject({
      status: HealStatus.REFUSED,
      error: { code: 'TIER_NOT_ALLOWED' },
    });
    expect(appliance.state.heartbeats.at(-1)?.header?.agentId).toBe(identity.agentId);
    db.close();
  });

  it('renews its certificate once a third of the lifetime remains and keeps calling with the new one', async () => {
    const client = createAgentClient({ appliance: appliance.appliance }, identity);
    const header = create(AgentHeaderSchema, { agentId: identity.agentId, agentVersion: '0.1.0', protocolVersion: 1 });
    expect(await client.renewIfDue(new Date(), header)).toBeUndefined();
    const notAfter = new Date(new X509Certificate(identity.certificatePem).validTo);
    const renewed = await client.renewIfDue(new Date(notAfter.getTime() - 60_000), header);
    expect(renewed?.certificatePem).toBeDefined();
    expect(renewed?.certificatePem).not.toBe(identity.certificatePem);
    await expect(client.transport.heartbeat(create(HeartbeatRequestSchema, { header }))).resolves.toBeDefined();
  });

  it('cannot call anything but Enroll without a client certificate', async () => {
    const stranger = createAgentClient(
      { appliance: appliance.appliance },
      { ...identity, certificatePem: '', keyPem: '' },
    );
    const error = await stranger.transport.heartbeat(create(HeartbeatRequestSchema, {})).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.Unauthenticated);
  });
});
