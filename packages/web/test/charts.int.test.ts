import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type Viewport, type WebApp } from './browser';
import { seedPractice } from './seed';

const VIEWPORTS: readonly Viewport[] = ['desktop', 'mobile'];

/** Every console message about the Content Security Policy a page logs. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) seen.push(message.text());
  });
  return seen;
}

/** The chart's SVG, drawn at a real size that fits the viewport, and its bars/slices (empty ones draw nothing). */
async function drawn(page: Page, testId: string, shape: 'bar' | 'slice') {
  const chart = page.getByTestId(testId);
  const plot = chart.getByTestId('chart-plot');
  expect(await plot.getAttribute('role')).toBe('img');
  expect(await plot.getAttribute('aria-label')).toBeTruthy();
  const svg = plot.locator('svg.recharts-surface');
  await svg.waitFor();
  const box = await svg.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box?.width).toBeGreaterThan(100);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
  expect(await chart.locator('h3').textContent()).toBeTruthy();
  const shapes = plot.locator(shape === 'bar' ? 'path.recharts-rectangle' : 'path.recharts-sector');
  return { chart, plot, count: () => shapes.count() };
}

async function fits(page: Page) {
  const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
  expect(width).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0);
}

describe('charts in a real browser, at 1280 and 390 px, within the CSP', () => {
  let web: WebApp;
  let seeded: Awaited<ReturnType<typeof seedPractice>>;
  beforeAll(async () => {
    web = await startWebApp();
    seeded = await seedPractice(web, { fresh: true });
  }, 120_000);
  afterAll(async () => web?.close());

  for (const viewport of VIEWPORTS) {
    it(`practice dashboard: a donut of 1 passing and 1 failing (latest per check) next to the score (${viewport})`, async () => {
      const page = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId }, viewport);
      const csp = cspViolations(page);
      await page.goto('/practice');
      const donut = await drawn(page, 'chart-results', 'slice');
      await expect.poll(donut.count).toBe(2);
      expect(await donut.plot.getAttribute('aria-label')).toContain('1 passing, 1 failing, 0 could not run');
      expect(await donut.chart.getByTestId('chart-numbers').textContent()).toContain('could not run: 0');
      expect(await donut.plot.textContent()).toContain('50%');
      await fits(page);
      expect(csp).toEqual([]);
    });

    it(`practice controls: one bar per non-empty status, matching the grid (${viewport})`, async () => {
      const page = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId }, viewport);
      const csp = cspViolations(page);
      await page.goto('/practice/controls');
      const bars = await drawn(page, 'chart-controls', 'bar');
      const inState = (state: string) => page.locator(`[data-testid="controls"] [data-state="${state}"]`).count();
      await expect.poll(() => inState('fail')).toBeGreaterThan(0);
      const states = ['pass', 'fail', 'unknown', 'excepted', 'not_assessed', 'unattested'];
      const counts: number[] = [];
      for (const state of states) counts.push(await inState(state));
      await expect.poll(bars.count).toBe(counts.filter((n) => n > 0).length);
      expect(await bars.plot.getAttribute('aria-label')).toContain(
        `${counts[0]} passing, ${counts[1]} failing, ${counts[2]} unknown, ${counts[3]} excepted, ${counts[4]} not assessed, ${counts[5]} needs attestation`,
      );
      await fits(page);
      expect(csp).toEqual([]);
    });

    it(`partner dashboard: sites by health, the one site failing checks (${viewport})`, async () => {
      const page = await web.as({ role: 'partner_admin', partnerId: seeded.partnerId }, viewport);
      const csp = cspViolations(page);
      await page.goto('/partner');
      const bars = await drawn(page, 'chart-sites-health', 'bar');
      await expect.poll(bars.count).toBe(1);
      expect(await bars.plot.getAttribute('aria-label')).toContain('0 healthy, 1 failing checks, 0 no data');
      await fits(page);
      expect(csp).toEqual([]);
    });

    it(`admin overview: a stacked bar of passing / failing / other per site, the table kept (${viewport})`, async () => {
      const page = await web.asStaff('admin', viewport);
      const csp = cspViolations(page);
      await page.goto('/admin');
      const bars = await drawn(page, 'chart-site-health', 'bar');
      const rows = page.getByTestId('site-health').locator('tbody tr');
      await expect.poll(() => rows.count()).toBeGreaterThan(0);
      // Each non-zero cell of Passing, Failing, Other is one segment.
      let segments = 0;
      for (let i = 0; i < (await rows.count()); i++) {
        for (const col of [2, 3, 4]) {
          const text = await rows.nth(i).locator(`td:nth-child(${col})`).textContent();
          if (Number(text) > 0) segments++;
        }
      }
      expect(segments).toBeGreaterThanOrEqual(2);
      await expect.poll(bars.count).toBe(segments);
      const site = rows.filter({ hasText: 'main-clinic' });
      expect(await site.locator('td:nth-child(2)').textContent()).toBe('1');
      expect(await site.locator('td:nth-child(3)').textContent()).toBe('1');
      await fits(page);
      expect(csp).toEqual([]);
    });
  }
});
