import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINUX_CHECKS } from '@osiris/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../store';
import type { Incident } from '../../store/incidents.store';
import { createIncidentsService } from '../incidents';
import { createL1Engine } from './engine';
import { builtinPack } from './packs';
import type { HealingPolicy } from '@osiris/protocol';

const dirs: string[] = [];
const stores: ReturnType<typeof openStore>[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CHECK = 'linux.ssh.permit-empty-passwords';
const RUNBOOK = `rb-${CHECK}`;
const POLICY: HealingPolicy = {
  tier: 'l1',
  dryRun: false,
  maintenanceWindows: [],
  rateLimits: { globalPerHour: 100, perHostPerHour: 100 },
};
const rule = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  conditions: [{ field: 'checkId', operator: 'eq', value: CHECK }],
  action: RUNBOOK,
  ...extra,
});

/** A real store in a temp dir, a clock the test moves, and incidents opened through the service. */
function setup(rules: unknown, policy: Partial<HealingPolicy> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'osiris-l1-'));
  dirs.push(dir);
  const store = openStore(dir);
  stores.push(store);
  const clock = { now: new Date('2026-11-30T10:00:00Z') };
  const incidents = createIncidentsService({ store });
  const engine = createL1Engine({ rules, policy: { ...POLICY, ...policy }, store, now: () => clock.now });
  const fail = (hostId: string, checkId = CHECK): Incident => {
    const { incident } = incidents.recordResult({
      hostId,
      hostname: hostId,
      checkId,
      status: 'fail',
      reason: 'drifted',
      observed: { value: 'yes' },
      finishedAt: clock.now,
    });
    if (!incident) throw new Error('no incident');
    return incident;
  };
  const ran = (incident: Incident, minutesAgo = 0) => {
    const at = new Date(clock.now.getTime() - minutesAgo * 60_000);
    incidents.recordAttempt({
      incidentId: incident.incidentId,
      tier: 'L1',
      outcome: 'failure',
      startedAt: at,
      finishedAt: at,
    });
  };
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { store, engine, incidents, fail, ran, advance };
}

describe('L1 engine', () => {
  it('picks the lowest priority number first, and list order among equals', () => {
    const { engine, fail } = setup([
      rule('late', { priority: 50 }),
      rule('first-of-equals', { priority: 10 }),
      rule('second-of-equals', { priority: 10 }),
      rule('disabled', { priority: 1, enabled: false }),
    ]);
    expect(engine.match(fail('host-1'))?.id).toBe('first-of-equals');
  });

  it('runs the matched runbook and then holds that rule on that host for its cooldown', () => {
    const { engine, fail, advance } = setup([rule('only', { cooldownSeconds: 600 })]);
    const incident = fail('host-1');
    expect(engine.decide(incident)).toMatchObject({ kind: 'run', runbookId: RUNBOOK, dryRun: false });
    // The same key (rule, incident host) is read by match and decide: both now see the cooldown.
    expect(engine.match(incident)).toBeNull();
    expect(engine.decide(incident)).toEqual({ kind: 'skip', reason: 'cooldown' });
    // Another host is not affected.
    expect(engine.decide(fail('host-2')).kind).toBe('run');
    advance(599);
    expect(engine.decide(incident)).toEqual({ kind: 'skip', reason: 'cooldown' });
    advance(1);
    expect(engine.decide(incident).kind).toBe('run');
  });

  it('falls through to the next rule while a better one cools down, and says no_rule when none matches', () => {
    const { engine, fail } = setup([rule('a', { priority: 1 }), rule('b', { priority: 2 })]);
    const incident = fail('host-1');
    expect(engine.decide(incident)).toMatchObject({ kind: 'run', rule: { id: 'a' } });
    expect(engine.decide(incident)).toMatchObject({ kind: 'run', rule: { id: 'b' } });
    expect(engine.decide(fail('host-1', 'linux.kernel.aslr'))).toEqual({ kind: 'skip', reason: 'no_rule' });
  });

  it('escalates without running anything when the rule says so, even outside a window', () => {
    const { engine, fail } = setup([rule('esc', { action: 'escalate' })], {
      maintenanceWindows: [{ days: ['sun'], start: '01:00', end: '02:00', timeZone: 'UTC' }],
    });
    expect(engine.decide(fail('host-1'))).toMatchObject({ kind: 'escalate', rule: { id: 'esc' } });
  });

  it('never heals in monitor_only, and only inside maintenance windows when there are any', () => {
    const monitor = setup([rule('r')], { tier: 'monitor_only' });
    expect(monitor.engine.decide(monitor.fail('h'))).toEqual({ kind: 'skip', reason: 'monitor_only' });
    // 2026-11-30 10:00 UTC is a Monday.
    const closed = setup([rule('r')], {
      maintenanceWindows: [{ days: ['mon'], start: '22:00', end: '02:00', timeZone: 'UTC' }],
    });
    expect(closed.engine.decide(closed.fail('h'))).toMatchObject({ kind: 'skip', reason: 'outside_window' });
    const open = setup([rule('r')], {
      maintenanceWindows: [{ days: ['mon'], start: '09:30', end: '10:30', timeZone: 'UTC' }],
    });
    expect(open.engine.decide(open.fail('h')).kind).toBe('run');
  });

  it('passes dry-run through and still starts the cooldown, so a dry run cannot loop either', () => {
    const { engine, fail } = setup([rule('r', { actionParams: { value: 'no' } })], { dryRun: true });
    const incident = fail('host-1');
    expect(engine.decide(incident)).toMatchObject({ kind: 'run', dryRun: true, params: { value: 'no' } });
    expect(engine.decide(incident)).toEqual({ kind: 'skip', reason: 'cooldown' });
  });

  it('enforces the per-host limit from recorded attempts in the last hour', () => {
    const { engine, fail, ran, advance } = setup([rule('r', { cooldownSeconds: 0 })], {
      rateLimits: { globalPerHour: 100, perHostPerHour: 2 },
    });
    const incident = fail('host-1');
    ran(incident, 50);
    ran(incident, 10);
    expect(engine.decide(incident)).toMatchObject({ kind: 'skip', reason: 'rate_limited' });
    expect(engine.decide(fail('host-2')).kind).toBe('run');
    // Eleven minutes on, the attempt from 50 minutes ago has left the hour.
    advance(11 * 60);
    expect(engine.decide(incident).kind).toBe('run');
  });

  it('enforces the global limit across hosts', () => {
    const { engine, fail, ran } = setup([rule('r', { cooldownSeconds: 0 })], {
      rateLimits: { globalPerHour: 3, perHostPerHour: 100 },
    });
    for (const host of ['a', 'b', 'c']) ran(fail(host));
    expect(engine.decide(fail('d'))).toMatchObject({ kind: 'skip', reason: 'rate_limited' });
  });

  it('does not decide on a closed incident', () => {
    const { engine, incidents, fail } = setup([rule('r')]);
    const incident = fail('host-1');
    const { incident: closed } = incidents.recordResult({
      hostId: 'host-1',
      hostname: 'host-1',
      checkId: CHECK,
      status: 'pass',
      reason: 'ok',
      observed: {},
      finishedAt: new Date('2026-11-30T10:05:00Z'),
    });
    expect(closed?.incidentId).toBe(incident.incidentId);
    expect(engine.decide(closed as Incident)).toEqual({ kind: 'skip', reason: 'not_open' });
  });

  it('stops the full_coverage rule after three L1 attempts on one incident', () => {
    const { engine, fail, ran } = setup(builtinPack('full_coverage', LINUX_CHECKS));
    const incident = fail('host-1');
    for (let i = 0; i < 3; i += 1) ran(incident);
    expect(engine.decide(incident)).toEqual({ kind: 'skip', reason: 'no_rule' });
  });

  it('replaces rules at runtime, and refuses an invalid set without applying any of it', () => {
    const { engine, fail } = setup([rule('old')]);
    expect(engine.replaceRules([rule('new')])).toEqual({ ok: true });
    expect(engine.match(fail('host-1'))?.id).toBe('new');
    const refused = engine.replaceRules([
      rule('fine'),
      rule('broken', { conditions: [{ field: 'reason', operator: 'regex', value: '[' }] }),
    ]);
    expect(refused).toMatchObject({
      ok: false,
      message: expect.stringMatching(/rules\[1\].*invalid regular expression/),
    });
    expect(engine.rules().map((r) => r.id)).toEqual(['new']);
    expect(() => setup([{ id: 'x' }])).toThrow(/invalid L1 rules: rules\[0\]/);
  });

  it('replaces the policy at runtime and refuses an invalid one', () => {
    const { engine, fail } = setup([rule('r')]);
    expect(engine.replacePolicy({ ...POLICY, tier: 'bogus' })).toMatchObject({ ok: false });
    expect(engine.replacePolicy({ ...POLICY, tier: 'monitor_only' })).toEqual({ ok: true });
    expect(engine.decide(fail('host-1'))).toEqual({ kind: 'skip', reason: 'monitor_only' });
  });
});
