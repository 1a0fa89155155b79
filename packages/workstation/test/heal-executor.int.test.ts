import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { CapabilityTier, CheckStatus, HealCommandSchema, HealStatus } from '@osiris/protocol/agent-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../src/command-runner';
import { createHealExecutor } from '../src/heal/heal-executor';
import { RUNBOOKS } from '../src/heal/runbook-registry';
import { type AgentDb, openAgentDb } from '../src/queue/agent-db';
import { fromFixture, output } from './fixture-output';

let dir: string;
let db: AgentDb;
let calls: string[];
let tier: CapabilityTier;
let nftFixture: string;

// The command runner is the edge to the OS: here it serves recorded outputs and records what the
// executor asked for; no heal step runs on this machine.
const fakeRun: CommandRunner = async (file, args) => {
  calls.push([file, ...args].join(' '));
  if (file === 'nft') return fromFixture(nftFixture);
  if (file === 'sh') {
    nftFixture = 'linux/nft-default-drop.json';
    return output({ stdout: 'nftables table inet osiris_agent loaded\n' });
  }
  return output({ isMissing: true, exitCode: null });
};

const now = new Date('2026-12-01T09:00:00Z');
const executor = () =>
  createHealExecutor({ os: 'linux', run: fakeRun, db, runbooks: RUNBOOKS, tier: () => tier, now: () => now });

const command = (overrides: MessageInitShape<typeof HealCommandSchema> = {}) =>
  create(HealCommandSchema, {
    commandId: '6d2b1f8e-3c1a-4f7e-9a51-0c2d6f0e8b11',
    runbookId: 'LIN-FW-001',
    checkId: 'firewall',
    requiredTier: CapabilityTier.SELF_HEAL,
    timeoutSeconds: 60,
    expiresAt: timestampFromDate(new Date('2026-12-01T10:00:00Z')),
    ...overrides,
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'osiris-agent-heal-'));
  db = openAgentDb(join(dir, 'agent.db'));
  calls = [];
  tier = CapabilityTier.SELF_HEAL;
  nftFixture = 'linux/nft-empty.json';
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('heal commands', () => {
  it('refuses every command on a monitor-only agent without running anything', async () => {
    tier = CapabilityTier.MONITOR_ONLY;
    const result = await executor().execute(command());
    expect(result).toMatchObject({ status: HealStatus.REFUSED, error: { code: 'TIER_NOT_ALLOWED' } });
    expect(result.before).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('treats an agent without a tier as monitor-only', async () => {
    tier = CapabilityTier.UNSPECIFIED;
    expect((await executor().execute(command())).status).toBe(HealStatus.REFUSED);
    expect(calls).toEqual([]);
  });

  it('refuses a command whose required tier is not a healing tier or is above the agent tier', async () => {
    const monitor = await executor().execute(command({ requiredTier: CapabilityTier.MONITOR_ONLY }));
    expect(monitor.error?.code).toBe('TIER_NOT_ALLOWED');
    const full = await executor().execute(
      command({ commandId: 'a1e2b3c4-0000-4000-8000-000000000001', requiredTier: CapabilityTier.FULL_REMEDIATION }),
    );
    expect(full.error?.code).toBe('TIER_NOT_ALLOWED');
    expect(calls).toEqual([]);
  });

  it('checks the runbook tier itself even when the appliance claims a lower one', async () => {
    const result = await executor().execute(
      command({ runbookId: 'RB-WIN-SEC-005', checkId: 'disk_encryption', requiredTier: CapabilityTier.SELF_HEAL }),
    );
    expect(result).toMatchObject({ status: HealStatus.REFUSED, error: { code: 'TIER_NOT_ALLOWED' } });
  });

  it('refuses expired commands, unknown runbooks and a check that does not match the runbook', async () => {
    const run = executor();
    const expired = await run.execute(
      command({
        commandId: 'b1e2b3c4-0000-4000-8000-000000000001',
        expiresAt: timestampFromDate(new Date('2026-12-01T08:00:00Z')),
      }),
    );
    expect(expired.error?.code).toBe('COMMAND_EXPIRED');
    const unknown = await run.execute(
      command({ commandId: 'b1e2b3c4-0000-4000-8000-000000000002', runbookId: 'LIN-NOPE-001' }),
    );
    expect(unknown.error?.code).toBe('UNKNOWN_RUNBOOK');
    const mismatch = await run.execute(
      command({ commandId: 'b1e2b3c4-0000-4000-8000-000000000003', checkId: 'screen_lock' }),
    );
    expect(mismatch.error?.code).toBe('CHECK_MISMATCH');
    expect(calls).toEqual([]);
  });

  it('answers UNSUPPORTED for a runbook without a step for this OS', async () => {
    const result = await executor().execute(command({ runbookId: 'RB-WIN-SEC-001' }));
    expect(result).toMatchObject({ status: HealStatus.UNSUPPORTED, error: { code: 'UNSUPPORTED_PLATFORM' } });
  });

  it('runs an allowed step once with the check before and after, and replays the stored result', async () => {
    const run = executor();
    const result = await run.execute(command());
    expect(result.status).toBe(HealStatus.SUCCEEDED);
    expect(result.before?.status).toBe(CheckStatus.FAIL);
    expect(result.after?.status).toBe(CheckStatus.PASS);
    expect(result.output).toContain('osiris_agent loaded');
    expect(calls.filter((c) => c === 'sh -s')).toHaveLength(1);
    const again = await executor().execute(command()); // a new executor on the same database
    expect(again.status).toBe(HealStatus.SUCCEEDED);
    expect(calls.filter((c) => c === 'sh -s')).toHaveLength(1);
  });

  it('never reruns a command that was interrupted mid-step', async () => {
    db.prepare('INSERT INTO heal_commands (command_id, started_at_ms) VALUES (?, ?)').run(
      command().commandId,
      now.getTime(),
    );
    const result = await executor().execute(command());
    expect(result).toMatchObject({ status: HealStatus.FAILED, error: { code: 'INTERRUPTED' } });
    expect(calls).toEqual([]);
  });
});
