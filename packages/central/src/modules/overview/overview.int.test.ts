import {
  EVIDENCE_GENESIS_HASH,
  type EvidenceBundle,
  type OverviewResponse,
  type ScoreHistory,
  type SignedEvidenceBundle,
  signBundle,
} from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import { createTenant, expectError, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

const DAY_MS = 86_400_000;
const SSH = 'linux.ssh.permit-root-login';
const FIREWALL = 'linux.firewall.default-deny-input';
const MAC = 'linux.mac.enforcing';

/** One bundle to write: a check run, or a healing attempt of a tier taking `durationMs`. */
interface Run {
  checkId: string;
  status: EvidenceBundle['status'];
  at: Date;
  healing?: { tier: 'L1' | 'L2'; durationMs: number };
}

/** Signs `runs` as the next bundles of this appliance's chain (seq 1 onwards) and uploads them. */
async function uploadRuns(appliance: Awaited<ReturnType<typeof registerTestAppliance>>, runs: readonly Run[]) {
  let prevHash = EVIDENCE_GENESIS_HASH;
  const signed: SignedEvidenceBundle[] = [];
  for (const [i, run] of runs.entries()) {
    const started = new Date(run.at.getTime() - (run.healing?.durationMs ?? 0));
    const bundle = await signBundle(
      {
        schemaVersion: 1,
        applianceId: appliance.applianceId,
        seq: i + 1,
        prevHash,
        hostId: '01890000-0000-7000-8000-00000000b001',
        hostname: 'fs01',
        checkId: run.checkId,
        status: run.status,
        observed: run.healing ? { tier: run.healing.tier, runbookId: 'linux.ssh.disable-root' } : { value: i },
        evaluatorInputDigest: 'a'.repeat(64),
        startedAt: started.toISOString(),
        finishedAt: run.at.toISOString(),
        clockOffsetMs: 0,
        controls: ['164.312(a)(1)'],
        ...(run.healing ? { kind: 'healing' as const } : {}),
      },
      appliance.pkcs8,
    );
    prevHash = bundle.hash;
    signed.push(bundle);
  }
  const res = await appliance.upload(signed);
  expect(res.statusCode, res.body).toBe(200);
}

describe.each(testBackends)('fleet overview on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  /** UTC midnight of today on the test clock. */
  let today: number;
  const day = (offset: number) => new Date(today + offset * DAY_MS).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    const now = t.clock.now().getTime();
    today = now - (now % DAY_MS);
    const at = (days: number, hours: number) => new Date(today + days * DAY_MS + hours * 3_600_000);
    // Tenant A: root login passes two days ago, fails yesterday (L1 healed once, failed once, L2 refused);
    // the firewall passes; SELinux could not run. An L1 attempt 40 days ago is outside the window.
    await uploadRuns(await registerTestAppliance(t, admin, a.site.id), [
      { checkId: SSH, status: 'pass', at: at(-40, 1), healing: { tier: 'L1', durationMs: 1000 } },
      { checkId: SSH, status: 'pass', at: at(-2, 10) },
      { checkId: FIREWALL, status: 'pass', at: at(-2, 10) },
      { checkId: SSH, status: 'fail', at: at(-1, 9) },
      { checkId: SSH, status: 'pass', at: at(-1, 10), healing: { tier: 'L1', durationMs: 4000 } },
      { checkId: SSH, status: 'fail', at: at(-1, 10), healing: { tier: 'L1', durationMs: 2000 } },
      { checkId: SSH, status: 'error', at: at(-1, 11), healing: { tier: 'L2', durationMs: 10_000 } },
      { checkId: MAC, status: 'error', at: at(-1, 12) },
    ]);
    // Tenant B: everything passes, one L1 heal.
    await uploadRuns(await registerTestAppliance(t, admin, b.site.id), [
      { checkId: SSH, status: 'pass', at: at(-3, 8) },
      { checkId: FIREWALL, status: 'pass', at: at(-3, 8) },
      { checkId: SSH, status: 'pass', at: at(-3, 9), healing: { tier: 'L1', durationMs: 6000 } },
    ]);
  });
  afterAll(() => t.close());

  /** What the overview must say for these sites: their newest snapshots, averaged and summed by hand. */
  const expectedFrameworks = async (siteIds: string[]) => {
    const snaps = (
      await Promise.all(
        siteIds.map(
          async (id) =>
            (
              await admin.request({ method: 'GET', url: `/v1/sites/${id}/score-history?days=7` })
            ).json() as ScoreHistory,
        ),
      )
    ).flatMap((h) => h.items.filter((i) => i.day === day(0)));
    return ['hipaa', 'soc2', 'pci-dss-4'].map((framework) => {
      const mine = snaps.filter((x) => x.framework === framework);
      const scores = mine.flatMap((x) => (x.score === null ? [] : [x.score]));
      return expect.objectContaining({
        framework,
        sites: scores.length,
        passing: mine.reduce((n, x) => n + x.counts.passing, 0),
        failing: mine.reduce((n, x) => n + x.counts.failing, 0),
        other: mine.reduce((n, x) => n + x.counts.unknown, 0),
        percent: scores.length ? Math.round((scores.reduce((x, y) => x + y, 0) / scores.length) * 10) / 10 : null,
      });
    });
  };

  const overviewOf = async (caller: Caller) => {
    const res = await caller.request({ method: 'GET', url: '/v1/overview' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as OverviewResponse;
  };
  const tier = (o: OverviewResponse, name: string) => o.healing.find((h) => h.tier === name);

  it('counts the whole fleet for platform staff: every framework, every tier', async () => {
    expect((await overviewOf(admin)).frameworks).toEqual([]); // no score snapshot yet
    await t.services.snapshots.snapshotAll();
    const o = await overviewOf(await t.loginAs('readonly'));
    expect(o.windowDays).toBe(30);
    // Both sites follow the platform default (healthcare: HIPAA, SOC 2, PCI DSS).
    expect(o.frameworks).toEqual(await expectedFrameworks([a.site.id, b.site.id]));
    expect(o.frameworks[0]).toMatchObject({ framework: 'hipaa', label: expect.stringContaining('HIPAA') });
    expect(o.frameworks.map((f) => f.framework)).toEqual(['hipaa', 'soc2', 'pci-dss-4']);
    // The seeded results are a day or more old: stale, so their controls count as unknown.
    expect(o.frameworks[0]).toMatchObject({ sites: 2, passing: 0, failing: 0, percent: 0 });
    expect(o.frameworks[0]?.other).toBeGreaterThan(0);
    expect(tier(o, 'L1')).toEqual({
      tier: 'L1',
      attempts: 3,
      healed: 2,
      failed: 1,
      refused: 0,
      medianDurationMs: 4000,
    });
    expect(tier(o, 'L2')).toEqual({
      tier: 'L2',
      attempts: 1,
      healed: 0,
      failed: 0,
      refused: 1,
      medianDurationMs: 10_000,
    });
    expect(tier(o, 'L3')).toMatchObject({ attempts: 0, medianDurationMs: null });
  });

  it('shows a partner only its own practices: partner B sees nothing of partner A', async () => {
    const partnerB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    const o = await overviewOf(partnerB);
    expect(o.frameworks).toEqual(await expectedFrameworks([b.site.id]));
    expect(o.frameworks.every((f) => f.sites <= 1)).toBe(true);
    expect(tier(o, 'L1')).toMatchObject({ attempts: 1, healed: 1, failed: 0, medianDurationMs: 6000 });
    expect(tier(o, 'L2')).toMatchObject({ attempts: 0 });
    const partnerA = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    const oa = await overviewOf(partnerA);
    expect(oa.frameworks).toEqual(await expectedFrameworks([a.site.id]));
    expect(tier(oa, 'L1')).toMatchObject({ attempts: 2, healed: 1, failed: 1, medianDurationMs: 3000 });
  });

  it('shows practice people and auditors their practice only', async () => {
    for (const role of ['practice_viewer', 'auditor'] as const) {
      const o = await overviewOf(await signInAs(t, { role, practiceId: a.practice.id }));
      expect(o.frameworks).toEqual(await expectedFrameworks([a.site.id]));
      expect(tier(o, 'L2')).toMatchObject({ attempts: 1, refused: 1 });
    }
  });

  it('answers empty statistics to a partner with no results yet', async () => {
    const empty = await createTenant(admin);
    const o = await overviewOf(await signInAs(t, { role: 'partner_admin', partnerId: empty.partner.id }));
    expect(o.frameworks).toEqual([]);
    expect(o.healing.every((h) => h.attempts === 0 && h.medianDurationMs === null)).toBe(true);
  });

  it('refuses anonymous callers', async () => {
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/overview' }), 401, 'UNAUTHENTICATED');
  });
});
