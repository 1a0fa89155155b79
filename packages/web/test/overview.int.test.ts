import { newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import {
  type ComplianceScore,
  EVIDENCE_GENESIS_HASH,
  type EvidenceBundle,
  type OverviewResponse,
  type ScoreHistory,
  type SignedEvidenceBundle,
  signBundle,
} from '@osiris/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

const HOUR_MS = 3_600_000;
const SSH = 'linux.ssh.permit-root-login';
const FIREWALL = 'linux.firewall.default-deny-input';
const MAC = 'linux.mac.enforcing';

/** A check run, or (with `tier`) a healing attempt, `hoursAgo` before now. */
type Run = [checkId: string, status: EvidenceBundle['status'], hoursAgo: number, tier?: 'L1' | 'L2'];

/** A new partner → practice → site with a stand-in appliance that uploaded these runs as one signed chain. */
async function seedSite(web: WebApp, name: string, runs: readonly Run[]) {
  const { central } = web;
  const ids = await central.createSite(name);
  const identity = newApplianceIdentity();
  const code = await central.provisionCode(ids.siteId);
  const now = central.t.clock.now().getTime();
  const reg = await central.t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/register',
    payload: registrationRequest(identity, code, { hostname: 'appl', signedAt: new Date(now).toISOString() }),
  });
  expect(reg.statusCode, reg.body).toBe(201);
  const { applianceId, token } = reg.json() as { applianceId: string; token: string };
  let prevHash = EVIDENCE_GENESIS_HASH;
  const bundles: SignedEvidenceBundle[] = [];
  for (const [i, [checkId, status, hoursAgo, tier]] of runs.entries()) {
    const at = new Date(now - hoursAgo * HOUR_MS).toISOString();
    const signed = await signBundle(
      {
        schemaVersion: 1,
        applianceId,
        seq: i + 1,
        prevHash,
        hostId: '01890000-0000-7000-8000-00000000c001',
        hostname: 'fs01',
        checkId,
        status,
        observed: tier ? { tier, runbookId: 'linux.ssh.disable-root' } : { value: i },
        evaluatorInputDigest: 'b'.repeat(64),
        startedAt: at,
        finishedAt: at,
        clockOffsetMs: 0,
        controls: ['164.312(a)(1)'],
        ...(tier ? { kind: 'healing' as const } : {}),
      },
      identity.pkcs8,
    );
    prevHash = signed.hash;
    bundles.push(signed);
  }
  const up = await central.t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/evidence',
    payload: { schemaVersion: 1, bundles },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(up.statusCode, up.body).toBe(200);
  return ids;
}

/** The percent and counts shown for each framework must be what the API answers this caller. */
async function expectFrameworksAsApi(page: Page, api: OverviewResponse) {
  const card = page.getByTestId('card-frameworks');
  expect(api.frameworks.map((f) => f.framework)).toEqual(['hipaa', 'soc2', 'pci-dss-4']);
  await card.getByTestId('framework-hipaa').waitFor();
  for (const f of api.frameworks) {
    const row = card.getByTestId(`framework-${f.framework}`);
    expect(await row.getByTestId('framework-percent').textContent()).toBe(f.percent === null ? '—' : `${f.percent}%`);
    expect(await row.getByTestId('framework-counts').textContent()).toBe(
      `${f.passing} passing · ${f.failing} failing · ${f.other} unknown controls over ${f.sites} ${f.sites === 1 ? 'site' : 'sites'}`,
    );
  }
  // A bar per framework with a score above zero (the fresh results make each one so).
  expect(api.frameworks.every((f) => (f.percent ?? 0) > 0)).toBe(true);
  expect(await card.locator('svg.recharts-surface path.recharts-rectangle').count()).toBe(api.frameworks.length);
}

/** Attempts, healed and failed of each tier as the healing table shows them. */
async function tiers(page: Page) {
  const rows = page.getByTestId('card-healing').getByTestId('healing-table').locator('tbody tr');
  await expect.poll(() => rows.count()).toBe(3);
  const out: Record<string, number[]> = {};
  for (let i = 0; i < 3; i++) {
    const cells = await rows.nth(i).locator('td').allTextContents();
    out[cells[0] ?? '?'] = cells.slice(1, 4).map(Number);
  }
  return out;
}

describe('fleet statistics and the practice score history in a real browser', () => {
  let web: WebApp;
  let a: Awaited<ReturnType<typeof seedSite>>;
  beforeAll(async () => {
    web = await startWebApp();
    // Practice A: root login passed, then failed; the firewall passes; SELinux could not run.
    // Healing: L1 healed twice and failed once, L2 failed once.
    a = await seedSite(web, 'clinic-a', [
      [SSH, 'pass', 60],
      [FIREWALL, 'pass', 60],
      [SSH, 'fail', 30],
      [SSH, 'pass', 29, 'L1'],
      [SSH, 'pass', 28, 'L1'],
      [SSH, 'fail', 27, 'L1'],
      [SSH, 'fail', 26, 'L2'],
      [MAC, 'error', 25],
      // Fresh runs: their controls pass (the older runs are stale by now).
      [FIREWALL, 'pass', 0.01],
      [SSH, 'pass', 0.01],
    ]);
    // Another partner's practice: all passing, one L1 heal.
    await seedSite(web, 'clinic-b', [
      [SSH, 'pass', 50],
      [FIREWALL, 'pass', 50],
      [SSH, 'pass', 49, 'L1'],
      [FIREWALL, 'pass', 0.01],
      [SSH, 'pass', 0.01],
    ]);
    // Compliance by framework comes from the daily score snapshots.
    await web.central.t.services.snapshots.snapshotAll();
  }, 120_000);
  afterAll(async () => web?.close());

  it('admin overview: compliance by framework and healing by tier over the whole fleet', async () => {
    const page = await web.asStaff('readonly');
    await page.goto('/admin');
    const api = await web.central.call<OverviewResponse>('GET', '/v1/overview');
    expect(api.frameworks[0]?.sites).toBe(2);
    await expectFrameworksAsApi(page, api);
    expect(await tiers(page)).toEqual({ L1: [4, 3, 1], L2: [1, 0, 1], L3: [0, 0, 0] });
  });

  it('partner dashboard: the same cards over its own practices only', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: a.partnerId });
    await page.goto('/partner');
    const api = (await page.evaluate('fetch("/v1/overview").then((r) => r.json())')) as OverviewResponse;
    expect(api.frameworks.every((f) => f.sites === 1)).toBe(true); // its own site only
    await expectFrameworksAsApi(page, api);
    expect(await tiers(page)).toEqual({ L1: [3, 2, 1], L2: [1, 0, 1], L3: [0, 0, 0] });
  });

  it('partner dashboard without results: both cards say "No results yet"', async () => {
    const empty = await web.central.createSite('clinic-empty');
    const page = await web.as({ role: 'technician', partnerId: empty.partnerId });
    await page.goto('/partner');
    for (const card of ['card-frameworks', 'card-healing']) {
      const state = page.getByTestId(card).getByTestId('empty');
      await state.waitFor();
      expect(await state.textContent()).toContain('No results yet');
    }
  });

  it('practice dashboard: one score line per framework from the daily snapshots, ending at today’s score', async () => {
    const { t } = web.central;
    // Yesterday's and today's snapshots (the job runs hourly): the clock goes back a day and returns.
    t.clock.advance(-24 * HOUR_MS);
    await t.services.snapshots.snapshotAll();
    t.clock.advance(24 * HOUR_MS);
    await t.services.snapshots.snapshotAll();
    const res = await web.central.admin.request({ method: 'GET', url: `/v1/practices/${a.practiceId}/compliance` });
    const scores = (res.json() as ComplianceScore).frameworks;
    expect(scores.map((f) => f.framework)).toEqual(['hipaa', 'soc2', 'pci-dss-4']);
    const past = await web.central.admin.request({ method: 'GET', url: `/v1/practices/${a.practiceId}/score-history` });
    const history = past.json() as ScoreHistory;
    const page = await web.as({ role: 'practice_viewer', practiceId: a.practiceId });
    await page.goto('/practice');
    const chart = page.getByTestId('chart-trend');
    const plot = chart.getByTestId('chart-plot');
    await plot.locator('svg.recharts-surface').waitFor();
    await expect.poll(() => plot.locator('path.recharts-line-curve').count()).toBe(3);
    // One dot per snapshot with a score (yesterday, before the appliance uploaded, there was none).
    expect(await plot.locator('.recharts-line-dots circle').count()).toBe(
      history.items.filter((i) => i.score !== null).length,
    );
    expect(history.items.length).toBe(6);
    expect(await plot.getAttribute('aria-label')).toContain('Score over 2 days');
    for (const f of scores)
      expect(await chart.getByTestId(`trend-latest-${f.framework}`).textContent()).toContain(
        f.score === null ? 'no score' : `${f.score}%`,
      );
  });

  it('practice dashboard of a practice without results: the trend card says "No results yet"', async () => {
    const empty = await web.central.createSite('clinic-quiet');
    const page = await web.as({ role: 'practice_viewer', practiceId: empty.practiceId });
    await page.goto('/practice');
    const state = page.getByTestId('chart-trend').getByTestId('empty');
    await state.waitFor();
    expect(await state.textContent()).toContain('No results yet');
  });
});
