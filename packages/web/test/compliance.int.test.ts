import { readFile } from 'node:fs/promises';
import type { ComplianceScore, SiteFrameworks } from '@osiris/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';
import { seedPractice } from './seed';

const PDF = Buffer.from('%PDF-1.4\n% risk analysis signed by the owner\n');

/** The score the UI shows for a number from the API. */
const shown = (score: number | null) => (score === null ? 'No score yet' : `${score}%`);

describe('frameworks, scores and attestations in a real browser', () => {
  let web: WebApp;
  let seeded: Awaited<ReturnType<typeof seedPractice>>;
  const get = async <T>(url: string): Promise<T> => {
    const res = await web.central.admin.request({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  };
  const practiceScore = () => get<ComplianceScore>(`/v1/practices/${seeded.practiceId}/compliance`);
  const hipaa = async () => {
    const framework = (await practiceScore()).frameworks.find((f) => f.framework === 'hipaa');
    if (!framework) throw new Error('the practice is not assessed against HIPAA');
    return framework;
  };
  /** Picks a framework in the controls page switcher once the grid has loaded. */
  const openControls = async (page: Page, path: string) => {
    await page.goto(path);
    await page.getByTestId('framework-switcher').selectOption('hipaa');
    await page.getByTestId('controls').waitFor();
  };

  beforeAll(async () => {
    web = await startWebApp();
    seeded = await seedPractice(web, { fresh: true });
  }, 120_000);
  afterAll(async () => web?.close());

  it('lets a partner admin pick a preset for a site, see where the choice comes from and go back to the default', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seeded.partnerId });
    await page.goto(`/partner/sites/${seeded.siteId}`);
    const section = page.getByTestId('site-compliance');
    const source = section.getByTestId('framework-source');
    await expect.poll(() => source.textContent()).toBe('platform');
    expect(await section.getByTestId('framework-check-soc2').isChecked()).toBe(true);

    await section.getByTestId('preset-select').selectOption('dental');
    expect(await section.getByTestId('framework-check-cis-v8').isChecked()).toBe(true);
    expect(await section.getByTestId('framework-check-soc2').isChecked()).toBe(false);
    await section.getByTestId('save-frameworks').click();
    await expect.poll(() => source.textContent()).toBe('site');
    expect(await section.getByTestId('framework-source-line').textContent()).toContain(
      'CIS Critical Security Controls',
    );
    const saved = await get<SiteFrameworks>(`/v1/sites/${seeded.siteId}/frameworks`);
    expect(saved).toMatchObject({ preset: 'dental', frameworks: ['hipaa', 'pci-dss-4', 'cis-v8'], source: 'site' });
    await expect.poll(() => section.getByTestId('score-card-cis-v8').count()).toBe(1);
    expect(await section.getByTestId('score-card-soc2').count()).toBe(0);

    // A custom choice with nothing ticked is refused before it is sent.
    for (const id of ['hipaa', 'pci-dss-4', 'cis-v8'])
      await section.getByTestId(`framework-check-${id}`).setChecked(false);
    await section.getByTestId('save-frameworks').click();
    expect(await section.getByTestId('picker-error').textContent()).toContain('at least one framework');

    await section.getByTestId('use-partner-default').click();
    await expect.poll(() => source.textContent()).toBe('platform');
    await section.getByTestId('preset-select').selectOption('dental');
    await section.getByTestId('save-frameworks').click();
    await expect.poll(() => source.textContent()).toBe('site');

    // The host filter narrows the scores to one computer.
    await section.getByTestId('host-filter').selectOption({ label: 'fs01' });
    await expect.poll(() => section.getByTestId('score-card-hipaa').count()).toBe(1);
  });

  it('shows read-only staff the site compliance in the admin face, families opening from the keyboard', async () => {
    const page = await web.asStaff('readonly');
    await page.goto(`/admin/sites/${seeded.siteId}`);
    const section = page.getByTestId('site-compliance');
    await expect.poll(() => section.getByTestId('framework-source').textContent()).toBe('site');
    expect(await section.getByTestId('save-frameworks').count()).toBe(0);
    expect(await section.getByTestId('framework-check-hipaa').isDisabled()).toBe(true);
    const site = await get<ComplianceScore>(`/v1/sites/${seeded.siteId}/compliance`);
    for (const f of site.frameworks)
      expect(await section.getByTestId(`score-card-${f.framework}`).getByTestId('framework-score').textContent()).toBe(
        shown(f.score),
      );
    await section.getByTestId('breakdown-framework').selectOption('hipaa');
    const family = section.getByTestId('breakdown-hipaa').getByTestId('family').last();
    const control = family.locator('li').first();
    expect(await control.isVisible()).toBe(false);
    await family.locator('summary').focus();
    await page.keyboard.press('Enter');
    await control.waitFor();
  });

  it('lets a partner admin set the default frameworks for new sites', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seeded.partnerId });
    await page.goto('/partner/compliance');
    const defaults = page.getByTestId('compliance-defaults');
    await expect.poll(() => defaults.getByTestId('defaults-line').textContent()).toContain('Not chosen yet');
    await defaults.getByTestId('preset-select').selectOption('general');
    await defaults.getByTestId('save-frameworks').click();
    await expect.poll(() => defaults.getByTestId('defaults-line').textContent()).toContain('Your default');
    expect(await defaults.getByTestId('defaults-line').textContent()).toContain('General business');
    expect(await get(`/v1/partners/${seeded.partnerId}/compliance-defaults`)).toMatchObject({
      preset: 'general',
      isSet: true,
    });
    // The site chose its own frameworks, so the practice keeps them: hipaa is still shown.
    await page.getByTestId('partner-scores').getByTestId('score-card-hipaa').waitFor();
  });

  it('shows the practice owner a score per framework equal to the API’s, with the formula', async () => {
    const page = await web.as({ role: 'practice_owner', practiceId: seeded.practiceId });
    await page.goto('/practice');
    const api = await practiceScore();
    expect(api.frameworks.map((f) => f.framework)).toEqual(['hipaa', 'pci-dss-4', 'cis-v8']);
    for (const f of api.frameworks) {
      const card = page.getByTestId(`score-card-${f.framework}`);
      await expect.poll(() => card.getByTestId('framework-score').textContent()).toBe(shown(f.score));
      expect(await card.getByTestId('framework-counts').textContent()).toContain(`${f.counts.failing} failing`);
    }
    await page.getByText('How is this calculated?').click();
    expect(await page.getByTestId('compliance-formula').textContent()).toContain('passing controls ÷');
  });

  it('filters the controls grid by status', async () => {
    const page = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId });
    await openControls(page, '/practice/controls');
    const framework = await hipaa();
    const cards = page.getByTestId('controls').locator('[data-state]');
    await expect.poll(() => cards.count()).toBe(framework.controls.length);
    const filter = page.getByTestId('control-status-filter');
    await filter.selectOption('fail');
    await expect.poll(() => cards.count()).toBe(framework.counts.failing);
    expect(framework.counts.failing).toBeGreaterThan(0);
    for (const state of await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))))
      expect(state).toBe('fail');
    await filter.selectOption('unattested');
    await expect.poll(() => cards.count()).toBe(framework.counts.unattested);
    // A viewer may not attest.
    expect(await page.getByTestId('attest').count()).toBe(0);
    await filter.selectOption('excepted');
    await page.getByTestId('empty').waitFor();
  });

  it('lets a practice admin attest a manual control with a PDF, after refusing a wrong file and a short statement', async () => {
    const before = await hipaa();
    const manual = before.controls.find((c) => c.manual && c.status === 'unattested');
    if (!manual) throw new Error('HIPAA has no unattested manual control');
    const page = await web.as({ role: 'practice_admin', practiceId: seeded.practiceId });
    await openControls(page, '/practice/controls');
    const card = page.getByTestId(`control-${manual.id}`);
    await card.getByTestId('attest').click();
    const form = page.getByTestId('attest-form');
    await form.getByTestId('attest-statement').fill('too short');
    await form
      .getByTestId('attest-file')
      .setInputFiles({ name: 'policy.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
    await form.getByTestId('attest-submit').click();
    const alerts = form.getByRole('alert');
    await expect
      .poll(() => alerts.allTextContents())
      .toEqual([
        'Write at least 10 characters: what is in place, in your words.',
        'The document must be a PDF, PNG, JPEG or plain text file.',
      ]);

    await form.getByTestId('attest-statement').fill('Our risk analysis was reviewed and signed by the owner in May.');
    await form
      .getByTestId('attest-file')
      .setInputFiles({ name: 'policy.pdf', mimeType: 'application/pdf', buffer: PDF });
    await form.getByTestId('attest-submit').click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('pass');
    expect(await card.getByTestId('attestation-state').textContent()).toMatch(/^Valid until /);

    const after = await hipaa();
    expect(after.counts.passing).toBe(before.counts.passing + 1);
    expect(after.score).not.toBe(before.score);
    const score = page.getByTestId('score-card-hipaa').getByTestId('framework-score');
    await expect.poll(() => score.textContent()).toBe(shown(after.score));
  });

  it('shows the auditor the attestation read-only and downloads its document', async () => {
    const page = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    await openControls(page, '/auditor/controls');
    const attestation = page.getByTestId('attestation');
    await expect.poll(() => attestation.count()).toBe(1);
    expect(await attestation.getAttribute('data-valid')).toBe('true');
    expect(await page.getByTestId('attest').count()).toBe(0);
    expect(await page.getByTestId('withdraw').count()).toBe(0);
    const downloading = page.waitForEvent('download');
    await attestation.getByTestId('attestation-download').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('policy.pdf');
    expect(await readFile(await download.path())).toEqual(PDF);
  });

  it('lets a practice admin withdraw the attestation; the control needs one again', async () => {
    const page = await web.as({ role: 'practice_admin', practiceId: seeded.practiceId });
    await openControls(page, '/practice/controls');
    const card = page
      .getByTestId('controls')
      .locator('[data-state]')
      .filter({ has: page.getByTestId('withdraw') });
    await expect.poll(() => card.count()).toBe(1);
    await card.getByTestId('withdraw').click();
    await expect.poll(() => card.count()).toBe(0);
    expect((await hipaa()).controls.filter((c) => c.manual && c.status === 'pass')).toEqual([]);
  });

  it('shows the score history after the daily snapshot, one line per framework, at phone width', async () => {
    const page = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId }, 'mobile');
    await page.goto('/practice');
    const chart = page.getByTestId('chart-trend');
    await chart.getByTestId('empty').waitFor();
    expect(await web.central.t.services.snapshots.snapshotAll()).toBeGreaterThan(0);
    await page.reload();
    const plot = chart.getByTestId('chart-plot');
    await plot.locator('svg.recharts-surface').waitFor();
    await expect.poll(() => plot.locator('.recharts-line').count()).toBe(3);
    await expect.poll(() => plot.locator('.recharts-line-dots circle').count()).toBeGreaterThanOrEqual(1);
    const today = (await hipaa()).score;
    expect(await chart.getByTestId('trend-latest-hipaa').textContent()).toContain(shown(today));
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(width).toBeLessThanOrEqual(390);
  });
});
