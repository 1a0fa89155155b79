import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import {
  CapabilityTier,
  HealCommandSchema,
  type HeartbeatRequest,
  HeartbeatResponseSchema,
  type ReportHealResultRequest,
  type ReportResultsRequest,
  ReportResultsResponseSchema,
  ResultTrigger,
} from '@osiris/protocol/agent-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentLoop, defaultAgentConfig } from '../src/agent-loop';
import type { CommandRunner } from '../src/command-runner';
import { createHealExecutor } from '../src/heal/heal-executor';
import { RUNBOOKS } from '../src/heal/runbook-registry';
import { collectHostFacts } from '../src/host-facts';
import { type AgentDb, openAgentDb } from '../src/queue/agent-db';
import { createResultQueue } from '../src/queue/result-queue';
import type { AgentTransport } from '../src/transport/agent-transport';
import { fromFixture, output } from './fixture-output';

const AGENT_ID = '0b6f1c9e-2a3d-4e5f-8a7b-9c0d1e2f3a4b';
let dir: string;
let db: AgentDb;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'osiris-agent-loop-'));
  db = openAgentDb(join(dir, 'agent.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An in-memory appliance behind the transport interface, with scripted acknowledgements. */
function fakeAppliance(ackThrough: (request: ReportResultsRequest) => bigint) {
  const calls = {
    heartbeats: [] as HeartbeatRequest[],
    reports: [] as ReportResultsRequest[],
    heals: [] as ReportHealResultRequest[],
  };
  let next = create(HeartbeatResponseSchema, { protocolVersion: 1 });
  const transport: AgentTransport = {
    heartbeat: async (request) => {
      calls.heartbeats.push(request);
      return next;
    },
    reportResults: async (request) => {
      calls.reports.push(request);
      return create(ReportResultsResponseSchema, { ackedThroughSeq: ackThrough(request) });
    },
    reportHealResult: async (request) => {
      calls.heals.push(request);
      return { $typeName: 'osiris.agent.v1.ReportHealResultResponse', alreadyRecorded: false };
    },
  };
  return { transport, calls, respondWith: (response: typeof next) => (next = response) };
}

function build(transport: AgentTransport, run: CommandRunner, tier = CapabilityTier.SELF_HEAL) {
  const queue = createResultQueue(db);
  const config = { ...defaultAgentConfig(['firewall']), tier };
  const heal = createHealExecutor({ os: 'linux', run, db, runbooks: RUNBOOKS, tier: () => tier });
  const loop = createAgentLoop({
    os: 'linux',
    run,
    agentId: AGENT_ID,
    transport,
    queue,
    heal,
    initialConfig: config,
    hostFacts: () => collectHostFacts('linux'),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  return { queue, loop };
}

const nftRun: CommandRunner = async (file) =>
  file === 'nft' ? fromFixture('linux/nft-empty.json') : output({ isMissing: true, exitCode: null });

describe('agent loop', () => {
  it('keeps what the appliance did not acknowledge and stops when it acknowledges nothing', async () => {
    const appliance = fakeAppliance((request) => (request.results[0]?.seq === 1n ? 2n : 0n));
    const { queue, loop } = build(appliance.transport, nftRun);
    for (let i = 0; i < 4; i++) await loop.runChecks(ResultTrigger.SCHEDULED);
    expect(await loop.flush()).toBe(2);
    expect(appliance.calls.reports.map((r) => r.results.map((x) => x.seq))).toEqual([
      [1n, 2n, 3n, 4n],
      [3n, 4n],
    ]);
    expect(queue.peek(10).map((r) => r.seq)).toEqual([3n, 4n]);
    expect(appliance.calls.reports[0]?.queue).toMatchObject({ queuedResults: 4, lastSeq: 4n, droppedResultsTotal: 0n });
  });

  it('never deletes beyond the batch it sent, whatever the appliance acknowledges', async () => {
    const appliance = fakeAppliance(() => 99n);
    const { queue, loop } = build(appliance.transport, nftRun);
    await loop.runChecks(ResultTrigger.SCHEDULED);
    expect(await loop.flush()).toBe(1);
    await loop.runChecks(ResultTrigger.SCHEDULED);
    expect(queue.stats()).toMatchObject({ queuedResults: 1, lastSeq: 2n });
  });

  it('applies a newer config from a heartbeat, including the tier', async () => {
    const appliance = fakeAppliance(() => 0n);
    const { loop } = build(appliance.transport, nftRun, CapabilityTier.MONITOR_ONLY);
    appliance.respondWith(
      create(HeartbeatResponseSchema, {
        protocolVersion: 1,
        config: {
          configVersion: 7n,
          tier: CapabilityTier.SELF_HEAL,
          heartbeatIntervalSeconds: 30,
          resultsIntervalSeconds: 120,
          checks: [{ checkId: 'disk_encryption' }],
        },
      }),
    );
    await loop.heartbeat();
    expect(loop.tier()).toBe(CapabilityTier.SELF_HEAL);
    expect(loop.config.checks.map((c) => c.checkId)).toEqual(['disk_encryption']);
    await loop.heartbeat();
    expect(appliance.calls.heartbeats.at(-1)?.configVersion).toBe(7n);
  });

  it('keeps heartbeating while a heal step runs, lists it as running and never starts it twice', async () => {
    let release: () => void = () => {};
    const stepDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    let steps = 0;
    const run: CommandRunner = async (file, args, options) => {
      if (file === 'sh') {
        steps++;
        await stepDone;
        return output({ stdout: 'done' });
      }
      return nftRun(file, args, options);
    };
    const appliance = fakeAppliance(() => 0n);
    const { loop } = build(appliance.transport, run);
    const command = create(HealCommandSchema, {
      commandId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      runbookId: 'LIN-FW-001',
      checkId: 'firewall',
      requiredTier: CapabilityTier.SELF_HEAL,
      timeoutSeconds: 60,
    });
    appliance.respondWith(create(HeartbeatResponseSchema, { protocolVersion: 1, healCommands: [command] }));
    await loop.heartbeat();
    await loop.heartbeat(); // the command is repeated while it runs
    expect(appliance.calls.heartbeats.at(-1)?.runningCommandIds).toEqual([command.commandId]);
    release();
    await loop.settled();
    expect(steps).toBe(1);
    expect(appliance.calls.heals).toHaveLength(1);
    await loop.heartbeat(); // repeated after it finished: answered from the stored result, not rerun
    await loop.settled();
    expect(steps).toBe(1);
    expect(appliance.calls.heals.map((h) => h.result?.commandId)).toEqual([command.commandId, command.commandId]);
  });
});
