import { readFile } from 'node:fs/promises';
import type { InclusionProofResponse, LogKey, TreeHeadPage } from '@osiris/protocol';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';
import { seedPractice } from './seed';

const MINUTE_MS = 60_000;

/** The bytes of the file a click downloads. */
async function downloadOf(page: Page, click: () => Promise<void>) {
  const downloading = page.waitForEvent('download');
  await click();
  const download = await downloading;
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

describe('transparency log, evidence proofs, packets and the auditor export in a real browser', () => {
  let web: WebApp;
  let seeded: Awaited<ReturnType<typeof seedPractice>>;
  /** A practice whose evidence came after the newest tree head. */
  let late: Awaited<ReturnType<typeof seedPractice>>;
  let logKey: LogKey;

  beforeAll(async () => {
    web = await startWebApp();
    seeded = await seedPractice(web, { fresh: true });
    // A second head a minute later, over a second practice's evidence, so the log has grown once.
    await seedPractice(web, { fresh: true });
    web.central.t.clock.advance(MINUTE_MS + 1000);
    expect(await web.central.t.services.transparency.issueTreeHead()).toBe(1);
    late = await seedPractice(web, { fresh: true });
    logKey = await web.central.call<LogKey>('GET', '/v1/transparency/log-key');
  }, 120_000);
  afterAll(async () => web?.close());

  it('lists the signed tree heads with the log key, verifies each signature and the consistency of the log', async () => {
    const page = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    await page.goto('/auditor');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transparency log' }).click();
    expect(await page.getByTestId('log-key-id').textContent()).toBe(logKey.keyId);
    expect(await page.getByTestId('log-public-key').textContent()).toBe(logKey.publicKey);
    const rows = page.getByTestId('tree-heads').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td').first().textContent()).toBe('8');
    expect(await rows.nth(1).locator('td').first().textContent()).toBe('4');
    await expect
      .poll(() => page.getByTestId('head-signature').allTextContents())
      .toEqual(['pass verified', 'pass verified']);

    await page.getByTestId('consistency-older').selectOption('4');
    await page.getByTestId('consistency-check').click();
    await expect
      .poll(() => page.getByTestId('consistency-result').textContent())
      .toMatch(/Consistent: the tree head of size 8 extends the one of size 4 without changing it/);
  });

  it('shows a tree head whose root hash was altered on the way as not signed by the log key', async () => {
    const page = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId });
    await page.route(
      (url) => url.pathname === '/v1/tree-heads',
      async (route) => {
        const original = await route.fetch();
        const body = (await original.json()) as TreeHeadPage;
        const first = body.items[0];
        if (first) first.rootHash = `${first.rootHash.slice(0, -1)}${first.rootHash.endsWith('0') ? '1' : '0'}`;
        await route.fulfill({ response: original, json: body });
      },
    );
    await page.goto('/practice/transparency');
    await expect
      .poll(() => page.getByTestId('head-signature').allTextContents())
      .toEqual(['fail NOT signed by the log key', 'pass verified']);
  });

  it('verifies the chain, the newest head and the inclusion proof of every bundle on the page', async () => {
    const page = await web.as({ role: 'practice_admin', practiceId: seeded.practiceId });
    await page.goto('/practice/evidence');
    await expect.poll(() => page.getByTestId('bundles').locator('tbody tr').count()).toBe(4);
    await page.getByTestId('verify').click();
    await expect
      .poll(() => page.getByTestId('verify-inclusion').textContent(), { timeout: 20_000 })
      .toMatch(/4 of 4 inclusion proofs verified in the signed tree head of size 8/);
    expect(await page.getByTestId('verify-chain').textContent()).toMatch(/Verified: 4 bundles/);
    expect(await page.getByTestId('verify-head').textContent()).toMatch(
      new RegExp(`Tree head signature verified: size 8, .*signed by log key ${logKey.keyId}`),
    );
    expect(await page.getByTestId('verify-inclusion').textContent()).not.toMatch(/failed|not yet/);
  });

  it('names the bundle whose inclusion proof does not hold', async () => {
    const page = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    await page.route(
      (url) => url.pathname.endsWith('/evidence/2/inclusion'),
      async (route) => {
        const original = await route.fetch();
        const body = (await original.json()) as InclusionProofResponse;
        body.proof = body.proof.map((node, i) =>
          i === 0 ? `${node.slice(0, -1)}${node.endsWith('a') ? 'b' : 'a'}` : node,
        );
        await route.fulfill({ response: original, json: body });
      },
    );
    await page.goto(`/auditor/evidence?appliance=${seeded.applianceId}&key=${seeded.publicKey}`);
    await expect.poll(() => page.getByTestId('bundles').locator('tbody tr').count()).toBe(4);
    await page.getByTestId('verify').click();
    await expect
      .poll(() => page.getByTestId('verify-inclusion').textContent(), { timeout: 20_000 })
      .toMatch(/1 of 4 inclusion proofs failed: seq 2 \(the audit path does not lead to the signed root hash\)/);
    expect(await page.getByTestId('verify-chain').textContent()).toMatch(/Verified: 4 bundles/);
  });

  it('shows bundles received after the newest tree head as not yet in one, not as failures', async () => {
    const page = await web.as({ role: 'practice_owner', practiceId: late.practiceId }, 'mobile');
    await page.goto('/practice/evidence');
    await expect.poll(() => page.getByTestId('bundles').locator('tbody tr').count()).toBe(4);
    await page.getByTestId('verify').click();
    await expect
      .poll(() => page.getByTestId('verify-inclusion').textContent(), { timeout: 20_000 })
      .toMatch(/4 not yet in a signed tree head \(seq 1, 2, 3, 4\)/);
    expect(await page.getByTestId('verify-inclusion').textContent()).not.toMatch(/failed/);
    expect(await page.getByTestId('verify-head').textContent()).toMatch(/Tree head signature verified: size 8/);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
  });

  it('makes a packet on demand, lists it, and downloads it as a PDF; auditors only read', async () => {
    const owner = await web.as({ role: 'practice_owner', practiceId: seeded.practiceId });
    await owner.goto('/practice/reports');
    await owner.getByTestId('packets').or(owner.getByTestId('empty')).first().waitFor();
    expect(await owner.getByTestId('packets').count()).toBe(0);
    const month = await owner.getByTestId('packet-month').inputValue();
    expect(month).toMatch(/^\d{4}-\d{2}$/);
    await owner.getByTestId('make-packet').click();
    const rows = owner.getByTestId('packets').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => owner.getByTestId('toast').first().textContent())
      .toMatch(/^Packet for .+ made \(\d+ pages\)/);
    const pdf = await downloadOf(owner, () => owner.getByTestId('packet-download').click());
    expect(pdf.name).toMatch(new RegExp(`^compliance-packet-.*-${month}\\.pdf$`));
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Asking again answers the packet already made, unchanged.
    await owner.getByTestId('make-packet').click();
    await expect.poll(() => owner.getByTestId('toast').last().textContent()).toMatch(/was already made/);
    expect(await rows.count()).toBe(1);

    // A month that is not over is refused before it is sent.
    await owner.getByTestId('packet-month').fill('2999-01');
    await owner.getByTestId('make-packet').click();
    expect(await owner.getByRole('alert').filter({ hasText: 'Choose a month that is over' }).count()).toBe(1);

    const auditor = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    await auditor.goto('/auditor/reports');
    await expect.poll(() => auditor.getByTestId('packets').locator('tbody tr').count()).toBe(1);
    expect(await auditor.getByTestId('make-packet').count()).toBe(0);
    const copy = await downloadOf(auditor, () => auditor.getByTestId('packet-download').click());
    expect(copy.bytes.equals(pdf.bytes)).toBe(true);

    const viewer = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId });
    await viewer.goto('/practice/reports');
    await expect.poll(() => viewer.getByTestId('packets').locator('tbody tr').count()).toBe(1);
    expect(await viewer.getByTestId('make-packet').count()).toBe(0);
  });

  it("lets a partner technician list and make a practice's packets", async () => {
    const page = await web.as({ role: 'technician', partnerId: late.partnerId });
    await page.goto('/partner/packets');
    await page.getByTestId('practice-picker').waitFor();
    await page.getByTestId('empty').waitFor();
    await page.getByTestId('make-packet').click();
    await expect.poll(() => page.getByTestId('packets').locator('tbody tr').count(), { timeout: 30_000 }).toBe(1);
    const pdf = await downloadOf(page, () => page.getByTestId('packet-download').click());
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('downloads the auditor export of the last 31 days as a ZIP, and shows a refused period', async () => {
    const page = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    await page.goto('/auditor/reports');
    const zip = await downloadOf(page, () => page.getByTestId('export-download').click());
    expect(zip.name).toMatch(/\.zip$/);
    expect(zip.bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    const files = unzipSync(new Uint8Array(zip.bytes));
    const manifest = JSON.parse(strFromU8(files['manifest.json'] as Uint8Array)) as {
      practice: { id: string };
      treeSize: number;
    };
    expect(manifest.practice.id).toBe(seeded.practiceId);
    expect(manifest.treeSize).toBe(8);
    expect(Object.keys(files)).toContain(`appliances/${seeded.applianceId}/bundles.jsonl`);
    await expect.poll(() => page.getByTestId('export-status').textContent()).toMatch(/^Downloaded .+\.zip/);

    // More than central's 400 days: its message shows at the field.
    await page.getByTestId('export-from').fill('2020-01-01');
    await page.getByTestId('export-download').click();
    await expect.poll(() => page.getByTestId('export-error').textContent()).toMatch(/at most 400 days/);
    expect(await page.getByRole('alert').filter({ hasText: 'at most 400 days' }).count()).toBeGreaterThanOrEqual(1);
  });

  it('verifies an export file in the browser, and names the failing item of a tampered one', async () => {
    const page = await web.as({ role: 'practice_admin', practiceId: late.practiceId });
    const response = await page.request.get(`/v1/practices/${seeded.practiceId}/evidence-export`);
    expect(response.status()).toBe(404);
    const auditor = await web.as({ role: 'auditor', practiceId: seeded.practiceId });
    const exported = await auditor.request.get(`/v1/practices/${seeded.practiceId}/evidence-export`);
    expect(exported.status()).toBe(200);
    const zip = new Uint8Array(await exported.body());

    await auditor.goto('/auditor/reports');
    await auditor
      .getByTestId('export-file')
      .setInputFiles({ name: 'export.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await expect.poll(() => auditor.getByTestId('export-verify-ok').count(), { timeout: 30_000 }).toBe(1);
    const summary = await auditor.getByTestId('export-summary').textContent();
    expect(summary).toMatch(/Evidence bundles4/);
    expect(summary).toMatch(/Inclusion proofs4/);

    // One byte of the first bundle line changed: the verifier names that line.
    const files = unzipSync(zip);
    const path = `appliances/${seeded.applianceId}/bundles.jsonl`;
    const text = strFromU8(files[path] as Uint8Array);
    const at = text.indexOf('"pass"') + 1;
    expect(at).toBeGreaterThan(0);
    const bytes = strToU8(text);
    bytes[at] = 'P'.charCodeAt(0);
    files[path] = bytes;
    const tampered = zipSync(files);
    await auditor
      .getByTestId('export-file')
      .setInputFiles({ name: 'tampered.zip', mimeType: 'application/zip', buffer: Buffer.from(tampered) });
    await expect.poll(() => auditor.getByTestId('export-failing-item').count(), { timeout: 30_000 }).toBe(1);
    expect(await auditor.getByTestId('export-failing-item').textContent()).toMatch(new RegExp(`^${path} line 1`));
    expect(await auditor.getByTestId('export-verify-ok').count()).toBe(0);

    // Not a ZIP at all.
    await auditor
      .getByTestId('export-file')
      .setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip file') });
    await expect
      .poll(() => auditor.getByTestId('export-verify-failure').textContent())
      .toMatch(/notes\.zip cannot be verified/);
  });
});

describe('the auditor export before the first tree head', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 120_000);
  afterAll(async () => web?.close());

  it('says why there is nothing to export yet', async () => {
    const { practiceId } = await web.central.createSite('no-evidence-yet');
    const page = await web.as({ role: 'practice_owner', practiceId });
    await page.goto('/practice/reports');
    await page.getByTestId('export-download').click();
    await expect.poll(() => page.getByTestId('export-error').textContent()).toMatch(/No signed tree head exists yet/);
  });
});
