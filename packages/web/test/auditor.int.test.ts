import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';
import { seedPractice } from './seed';

describe('the auditor face in a real browser', () => {
  let web: WebApp;
  let seeded: Awaited<ReturnType<typeof seedPractice>>;
  beforeAll(async () => {
    web = await startWebApp();
    seeded = await seedPractice(web);
  }, 120_000);
  afterAll(async () => web?.close());

  it('shows the access window, results and evidence read-only; verifies and downloads; no practice face', async () => {
    const page = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    await page.goto(`/auditor?site=${seeded.siteId}`);
    expect(await page.getByTestId('access-banner').textContent()).toMatch(/Your access ends on \w+/);
    await expect.poll(() => page.getByTestId('score-value').textContent()).toBe('50%');
    expect(await page.getByTestId('issue').textContent()).toContain('SSH does not allow direct root login');
    expect(await page.getByTestId('results').locator('tbody tr').count()).toBe(2);

    await page.goto(`/auditor/evidence?appliance=${seeded.applianceId}&key=${seeded.publicKey}`);
    const rows = page.getByTestId('bundles').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByTestId('verify').click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toMatch(/Verified: 4 bundles/);
    await rows.first().click();
    const downloading = page.waitForEvent('download');
    await page.getByTestId('download').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`evidence-${seeded.applianceId}-1.json`);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect(JSON.parse(await readFile(path, 'utf8')).hash).toBe(seeded.bundles[0]?.hash);
    await page.getByRole('button', { name: 'Close' }).click();

    const allowed =
      /^(Menu|Sign out|Verify in this browser|Previous page|Next page|Download as JSON|Close|Try again|Show results|Show evidence)$/;
    for (const name of await page.getByRole('button').allTextContents()) expect(name.trim()).toMatch(allowed);
    expect(await page.getByRole('button', { name: /invite|remove|revoke|grant|transfer|delete/i }).count()).toBe(0);

    await page.goto('/practice');
    await page.getByTestId('forbidden').waitFor();
  });

  it('finds the practice sites and evidence by itself, at phone width', async () => {
    const page = await web.as({ role: 'auditor', practiceId: seeded.practiceId }, 'mobile');
    await page.goto('/auditor');
    await expect.poll(() => page.getByTestId('score-value').textContent()).toBe('50%');
    await page.goto('/auditor/evidence');
    await page.getByTestId('appliance-picker').waitFor();
    await page.locator('table').first().waitFor();
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(400);
  });
});
