import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRootState } from '../src/fleet/fleet-appliance';
import { type FleetLive, runFleetLab } from '../src/fleet/run';
import { createLab } from '../src/hosts/lab';

/**
 * Issue 10 acceptance, reduced for CI: 3 real appliances, each under its own `osiris-appliance
 * supervise` with an install root seeded with the packed sources, checking a lab host over SSH.
 * A good release (packed, signed, registered by an admin over HTTP) rolled out 10 → 50 → 100 %
 * completes with every appliance healthy on it; a bad one (its daemon exits at start) rolls back
 * after 3 failed starts in stage 1 and pauses the rollout by itself, and the other two never get
 * it; sampled every 250 ms, no appliance is without a working version for more than 20 s. The
 * full form is `npx osiris-lab rollout --appliances 10`.
 */

/** Central's own rows, read from its database while the system still runs. */
async function centralRows(live: FleetLive) {
  const db = live.central.t.database.db;
  const rollouts = await db.selectFrom('rollouts').select(['id', 'status', 'current_stage', 'pause_reason']).execute();
  const members = await db
    .selectFrom('rollout_appliances')
    .select(['rollout_id', 'appliance_id', 'stage', 'state', 'error_code'])
    .execute();
  const appliances = await db.selectFrom('appliances').select(['id', 'version', 'last_checkin_at']).execute();
  const audit = await db
    .selectFrom('audit_log')
    .select(['action', 'actor_type', 'target_id', 'details'])
    .where('action', 'in', ['rollout.paused', 'rollout.completed', 'rollout.advanced'])
    .execute();
  return { rollouts, members, appliances, audit };
}

describe('appliance releases and staged rollouts (lab)', () => {
  const lab = createLab();
  beforeAll(() => lab.sweep()); // leftovers of a crashed run only; live hosts of other processes are kept
  afterAll(() => lab.sweep());

  it('completes a good rollout, rolls a bad release back in stage 1 and pauses, never leaves an appliance without a working version', async () => {
    const lines: string[] = [];
    const checked: string[] = [];
    const report = await runFleetLab({
      appliances: 3,
      hosts: 1,
      stages: [
        { percent: 10, healthyMinutes: 0 },
        { percent: 50, healthyMinutes: 0 },
        { percent: 100, healthyMinutes: null },
      ],
      timings: { checkinIntervalSeconds: 2, checkIntervalSeconds: 60, healthGateTimeoutSeconds: 30 },
      rolloutTickSeconds: 1,
      rolloutTimeoutSeconds: 150,
      holdSeconds: 10,
      maxGapSeconds: 20,
      backend: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite',
      progress: (line) => lines.push(line),
      inspect: async (live) => {
        const rows = await centralRows(live);
        const { good, bad } = live.versions;
        const goodRollout = rows.rollouts.find((r) => r.id === live.goodRolloutId);
        const badRollout = rows.rollouts.find((r) => r.id === live.badRolloutId);
        expect(goodRollout?.status).toBe('completed');
        expect(badRollout).toMatchObject({ status: 'paused', current_stage: 0 });
        expect(badRollout?.pause_reason).toMatch(/^Paused automatically: 1 of 1 appliances of stage 1/);
        const goodMembers = rows.members.filter((m) => m.rollout_id === live.goodRolloutId);
        const badMembers = rows.members.filter((m) => m.rollout_id === live.badRolloutId);
        expect(goodMembers.map((m) => m.state)).toEqual(['healthy', 'healthy', 'healthy']);
        expect(goodMembers.map((m) => m.stage).sort()).toEqual([0, 1, 2]);
        const [first, ...rest] = [...badMembers].sort((x, y) => x.stage - y.stage);
        expect(first).toMatchObject({ stage: 0, state: 'rolled_back', error_code: 'START_FAILED' });
        expect(rest.map((m) => m.state)).toEqual(['pending', 'pending']);
        // Stages advanced by themselves; the pause was the system's own.
        const advanced = rows.audit.filter(
          (e) => e.action === 'rollout.advanced' && e.target_id === live.goodRolloutId,
        );
        expect(advanced.map((e) => (e.details as { mode: string }).mode)).toEqual(['auto', 'auto']);
        const paused = rows.audit.filter((e) => e.action === 'rollout.paused' && e.target_id === live.badRolloutId);
        expect(paused).toHaveLength(1);
        expect(paused[0]).toMatchObject({ actor_type: 'system', details: { mode: 'auto', failures: 1, stageSize: 1 } });
        // Every appliance checks in with the good release; its root is settled on it and its daemon runs it.
        expect(rows.appliances.map((a) => a.version)).toEqual([good, good, good]);
        for (const appliance of live.appliances) {
          const root = readRootState(appliance.root);
          const slot = root.knownGood as 'a' | 'b';
          expect(root).toMatchObject({ knownGoodVersion: good, pending: null, current: slot, good: slot, outbox: 0 });
          expect(root.slots[slot]).toBe(good);
          expect(appliance.daemon()?.slot).toBe(slot);
          const wasFirst = appliance.applianceId === first?.appliance_id;
          // Only the first stage's appliance ever had the bad build unpacked (into its other slot).
          expect(Object.values(root.slots).includes(bad)).toBe(wasFirst);
          checked.push(appliance.hostname);
        }
      },
    });
    const { summary } = report;
    const context = JSON.stringify({ summary, progress: lines }, null, 2);
    expect(checked, context).toHaveLength(3);
    expect(summary.failures, context).toEqual([]);
    expect(summary.goodRollout, context).toMatchObject({ status: 'completed', healthy: 3, onGoodVersion: 3 });
    expect(summary.goodRollout.stages.map((s) => s.appliances)).toEqual([1, 1, 1]);
    for (const stage of summary.goodRollout.stages) expect(stage.seconds, context).toBeGreaterThan(0);
    expect(summary.badRollout, context).toMatchObject({ status: 'paused', untouched: 2 });
    expect(summary.badRollout.firstStage, context).toHaveLength(1);
    expect(summary.badRollout.firstStage[0], context).toMatchObject({
      state: 'rolled_back',
      badStarts: 3,
      runningVersion: summary.versions.good,
    });
    expect(summary.badRollout.firstStage[0]?.message, context).toMatch(/failed 3 starts/);
    // Availability, measured: many samples, every gap short, each appliance restarted into the new version.
    const { availability } = summary;
    expect(availability.worstGapSeconds, context).toBeLessThanOrEqual(20);
    // Check-ins every 2 s: the longest silence (a restart into the new version) stays short too.
    expect(availability.worstCheckinSilenceSeconds, context).toBeGreaterThanOrEqual(2);
    expect(availability.worstCheckinSilenceSeconds, context).toBeLessThanOrEqual(20);
    for (const appliance of summary.perAppliance) {
      // At least half the nominal 4 samples a second over the whole watch.
      expect(appliance.samples, context).toBeGreaterThanOrEqual(availability.monitoredSeconds * 2);
      expect(appliance.daemonStarts, context).toBeGreaterThanOrEqual(2);
    }
    expect(summary.ok, context).toBe(true);
    expect(report.keptDir).toBeNull();
  }, 300_000);
});
