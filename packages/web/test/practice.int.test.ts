import type { ComplianceScore } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';
import { seedPractice } from './seed';

describe('the practice face in a real browser', () => {
  let web: WebApp;
  let seeded: Awaited<ReturnType<typeof seedPractice>>;
  /** A practice has one owner, so one owner page serves every test. */
  let owner: Awaited<ReturnType<WebApp['as']>>;
  beforeAll(async () => {
    web = await startWebApp();
    seeded = await seedPractice(web, { fresh: true });
    owner = await web.as({ role: 'practice_owner', practiceId: seeded.practiceId });
    const branding = await web.central.admin.request({
      method: 'PUT',
      url: `/v1/partners/${seeded.partnerId}/branding`,
      payload: { brandName: 'Acme IT Care', color: '#7c3aed' },
    });
    expect(branding.statusCode, branding.body).toBe(200);
  }, 120_000);
  afterAll(async () => web?.close());

  it("shows the owner the partner's branding, the score with its formula and the issue in plain language", async () => {
    const page = owner;
    await page.goto('/practice');
    await expect.poll(() => page.getByTestId('brand').textContent()).toContain('Acme IT Care');
    expect(await page.getByTestId('brand-wrapper').getAttribute('style')).toContain('#7c3aed');
    const score = page.getByTestId(`score-${seeded.siteId}`);
    await expect.poll(() => score.getByTestId('score-value').textContent()).toBe('50%');
    expect(await score.textContent()).toContain('1 passing · 1 failing');
    expect(await page.getByTestId('score-formula').textContent()).toMatch(
      /passing checks ÷ \(passing checks \+ failing/,
    );
    const issue = page.getByTestId('issue');
    expect(await issue.count()).toBe(1);
    const text = (await issue.textContent()) ?? '';
    expect(text).toContain('SSH does not allow direct root login');
    expect(text).toContain('Why it matters');
    expect(text).toContain('How to fix it');
    expect(text).not.toContain('linux.ssh.permit-root-login');

    // The framework scores come from the compliance API; the controls page shows the same control statuses.
    const api = await web.central.admin.request({
      method: 'GET',
      url: `/v1/practices/${seeded.practiceId}/compliance`,
    });
    const hipaa = (api.json() as ComplianceScore).frameworks.find((f) => f.framework === 'hipaa');
    const failing = hipaa?.controls.find((c) => c.status === 'fail');
    if (!hipaa || !failing) throw new Error('expected a failing HIPAA control');
    await expect
      .poll(() => page.getByTestId('score-card-hipaa').getByTestId('framework-score').textContent())
      .toBe(`${hipaa.score}%`);
    await page.getByRole('link', { name: 'Controls' }).click();
    await page.getByTestId('framework-switcher').selectOption('hipaa');
    const control = page.getByTestId(`control-${failing.id}`);
    await expect.poll(() => control.getAttribute('data-state')).toBe('fail');
    expect(await control.getByTestId('control-status').textContent()).toBe('Failing');
    expect(await page.locator('[data-state="unattested"]').count()).toBe(hipaa.counts.unattested);
  });

  it('lists evidence, opens a bundle, verifies the chain in the browser and catches a tampered bundle', async () => {
    const page = owner;
    await page.goto('/practice/evidence');
    const rows = page.getByTestId('bundles').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByTestId('status-filter').selectOption('fail');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('status-filter').selectOption('all');
    await page.getByLabel('Search checks').fill('firewall');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel('Search checks').fill('');
    await rows.nth(2).focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('bundle-detail');
    expect(await detail.getByTestId('detail-hash').textContent()).toBe(seeded.bundles[2]?.hash);
    expect(await detail.getByTestId('detail-prev').textContent()).toBe(seeded.bundles[1]?.hash);
    expect(await detail.getByTestId('detail-signature').textContent()).toBe(seeded.bundles[2]?.signature);
    await detail.getByRole('button', { name: 'Close' }).click();

    await page.getByTestId('verify').click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toMatch(/Verified: 4 bundles/);

    // The server refuses tampered uploads, so the tampered answer is made in the browser.
    const tampered = owner;
    await tampered.route('**/v1/appliances/*/evidence?**', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { items: { signed: { bundle: { status: string } } }[] };
      // Someone hides the failing result of seq 3.
      const third = body.items[2];
      if (third) third.signed.bundle.status = 'pass';
      await route.fulfill({ response, json: body });
    });
    await tampered.goto('/practice/evidence');
    await tampered.getByTestId('verify').click();
    await expect.poll(() => tampered.getByTestId('verify-result').textContent()).toMatch(/Not verified/);
    expect(await tampered.getByTestId('verify-result').textContent()).toMatch(/seq 3 \(BAD_HASH\)/);
    await tampered.unrouteAll();
  });

  it('lets the owner invite a viewer, shows validation and server errors; a viewer on a phone sees no invite form', async () => {
    const page = owner;
    await page.goto('/practice/team');
    const form = page.getByTestId('invite-form');
    await form.getByLabel('Email').fill('not-an-email');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    expect(await form.getByRole('alert').first().textContent()).toBeTruthy();
    await form.getByLabel('Email').fill('new.viewer@clinic.example');
    await form.getByLabel('Role').selectOption('practice_viewer');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => form.getByTestId('invited').textContent()).toContain('new.viewer@clinic.example (Viewer)');
    await form.getByLabel('Email').fill('new.viewer@clinic.example');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => form.getByTestId('invite-error').textContent()).toMatch(/pending invitation/);
    expect(await page.getByTestId('auditor-form').count()).toBe(1);

    const viewer = await web.as({ role: 'practice_viewer', practiceId: seeded.practiceId }, 'mobile');
    await viewer.goto('/practice');
    await viewer.getByRole('button', { name: 'Menu' }).click();
    await viewer.getByRole('link', { name: 'Team' }).click();
    await viewer.getByTestId('no-invite').waitFor();
    await viewer.getByTestId('members').waitFor();
    expect(await viewer.getByTestId('invite-form').count()).toBe(0);
    expect(await viewer.getByTestId('auditor-form').count()).toBe(0);
    const width = Number(await viewer.evaluate('document.documentElement.scrollWidth'));
    expect(width).toBeLessThanOrEqual(390);
  });
});
