import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { ensureBuilt, startWebApp } from '@osiris/web/testing';
import type { Page } from 'playwright-core';

const DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));
const BUDGET_KB = 300;
const LIMIT_MS = 1000;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Gzip size of what the sign-in page loads before it can run: the entry script and its preloads. */
function initialJavaScriptKb(): { kb: number; files: string[] } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(DIST, file))).length, 0);
  return { kb: bytes / 1024, files };
}

/** Milliseconds from navigation until the page shows its table, its empty state or its form. */
async function timeToRender(page: Page, path: string, ready: string): Promise<number> {
  const start = performance.now();
  await page.goto(path);
  // Checked on every animation frame: Playwright's default retry backoff (up to 500 ms between
  // tries) would otherwise be most of what is measured.
  await page.waitForFunction(
    (selector: string) =>
      (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
        selector,
      ) !== null,
    ready,
    { polling: 'raf', timeout: 15_000 },
  );
  return performance.now() - start;
}

/**
 * `npm run bench -- web [--sites 1000]`: the sign-in route's initial JavaScript against its
 * 300 KB gzip budget, and how long every list page takes to render with many sites seeded, each
 * as milliseconds and as a ratio to the sign-in page rendered in the same browser and run.
 */
export async function runWebBench(args: string[]): Promise<void> {
  const sites = Number(args[args.indexOf('--sites') + 1] ?? 1000) || 1000;
  await ensureBuilt();
  const js = initialJavaScriptKb();
  process.stdout.write(
    `initial JavaScript of the sign-in route: ${js.kb.toFixed(1)} KB gzip (${js.files.length} file(s); budget ${BUDGET_KB} KB) ${js.kb <= BUDGET_KB ? 'OK' : 'OVER BUDGET'}\n`,
  );
  const web = await startWebApp();
  try {
    const { partnerId, practiceId } = await web.central.createSite('bench-first');
    process.stderr.write(`seeding ${sites} sites…\n`);
    for (let i = 1; i < sites; i++) {
      await web.central.call('POST', '/v1/sites', {
        practiceId,
        name: `Clinic location ${String(i).padStart(4, '0')}`,
      });
      if (i % 250 === 0) process.stderr.write(`  ${i}/${sites}\n`);
    }
    const baselinePage = await web.page();
    const baselineSamples: number[] = [];
    for (let i = 0; i < RUNS; i++) baselineSamples.push(await timeToRender(baselinePage, '/sign-in', 'form'));
    const baseline = median(baselineSamples);
    process.stdout.write(`baseline: the sign-in page renders in ${baseline.toFixed(0)} ms (median of ${RUNS})\n`);
    const admin = await web.asStaff('admin');
    const partner = await web.as({ role: 'partner_admin', partnerId });
    const owner = await web.as({ role: 'practice_owner', practiceId });
    const pages: [Page, string][] = [
      [admin, '/admin/partners'],
      [admin, '/admin/practices'],
      [admin, '/admin/sites'],
      [admin, '/admin/escalations'],
      [admin, '/admin/learning'],
      [admin, '/admin/users'],
      [admin, '/admin/audit'],
      [admin, '/admin/exceptions'],
      [admin, '/admin/transfers'],
      [admin, '/admin/notifications'],
      [partner, '/partner/practices'],
      [partner, '/partner/sites'],
      [partner, '/partner/escalations'],
      [partner, '/partner/api-keys'],
      [partner, '/partner/people'],
      [partner, '/partner/exceptions'],
      [partner, '/partner/notifications'],
      [owner, '/practice/team'],
      [owner, '/practice/exceptions'],
    ];
    let failed = 0;
    for (const [page, path] of pages) {
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await timeToRender(page, path, 'table, [data-testid="empty"]'));
      const ms = median(samples);
      if (ms >= LIMIT_MS) failed++;
      process.stdout.write(
        `${path.padEnd(24)} ${ms.toFixed(0).padStart(5)} ms  ×${(ms / baseline).toFixed(2)} of baseline  ${ms < LIMIT_MS ? 'OK' : 'SLOW'}\n`,
      );
    }
    process.stdout.write(
      `${sites} sites seeded; ${pages.length - failed}/${pages.length} list pages under ${LIMIT_MS} ms\n`,
    );
  } finally {
    await web.close();
  }
}
