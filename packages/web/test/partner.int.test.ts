import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

/** A valid 1×1 PNG, built in the test. */
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const nav = (page: Page, label: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });

describe('the partner face in a real browser', () => {
  let web: WebApp;
  let seed: { partnerId: string; practiceId: string; siteId: string };
  beforeAll(async () => {
    web = await startWebApp();
    seed = await web.central.createSite('seed-site');
  }, 120_000);
  afterAll(async () => {
    await web?.close();
  });

  it('a partner admin opens every screen, creates a practice and a site, and runs a provisioning code', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seed.partnerId });
    await page.goto('/partner');
    await expect.poll(() => heading(page).textContent()).toBe('Dashboard');
    await expect.poll(() => page.getByTestId('kpi-sites').textContent()).toContain('1');
    expect(await page.getByTestId('dashboard-sites').textContent()).toContain('seed-site');
    // Rows open from the keyboard too.
    await page
      .getByTestId('dashboard-sites')
      .getByRole('row', { name: /seed-site/ })
      .focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('site-name').textContent()).toBe('seed-site');
    await page.goBack();
    // The shell falls back to the partner's name without a brand name.
    expect(await page.getByTestId('brand').textContent()).toMatch(/^MSP msp-/);
    for (const [label, title] of [
      ['Practices', 'Practices'],
      ['Sites', 'Sites'],
      ['Escalations', 'Escalations'],
      ['People', 'People'],
      ['API keys', 'API keys'],
      ['Branding', 'Branding'],
      ['Dashboard', 'Dashboard'],
    ] as const) {
      await nav(page, label).click();
      await expect.poll(() => heading(page).textContent()).toBe(title);
    }
    await nav(page, 'Escalations').click();
    // The dashboard's own empty cards leave with it: wait for the page, then its one empty list.
    await expect.poll(() => heading(page).textContent()).toBe('Escalations');
    await expect.poll(() => page.getByTestId('empty').count()).toBe(1);

    // Practices: client validation with the server's schema, then a create that lands on the detail.
    await nav(page, 'Practices').click();
    await page.getByRole('button', { name: 'Create practice' }).click();
    await page.getByLabel('Practice name').and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Practice name').fill('Riverside Dental');
    await page.getByLabel('Contact email (optional)').fill('not-an-email');
    await page.getByRole('button', { name: 'Create practice' }).click();
    await page.getByLabel('Contact email (optional)').and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Contact email (optional)').fill('office@riverside.example');
    await page.getByRole('button', { name: 'Create practice' }).click();
    await expect.poll(() => page.getByTestId('practice-name').textContent()).toBe('Riverside Dental');
    expect(page.url()).toMatch(/\/partner\/practices\/[0-9a-f-]{36}$/);
    await page.getByText('No sites yet.').waitFor();
    // The partner invites the practice's owner and grants an auditor a window of at most a year.
    await page.getByLabel('Email', { exact: true }).fill('owner@riverside.example');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect
      .poll(() => page.getByTestId('practice-invitations').textContent())
      .toContain('owner@riverside.example');
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Auditor email').fill('auditor@cpa.example');
    await page.getByLabel('Auditor name').fill('Dana Auditor');
    await page.getByLabel('Valid until').fill(day(400));
    await page.getByRole('button', { name: 'Grant access' }).click();
    await page.getByText('At most one year from today').waitFor();
    await page.getByLabel('Valid until').fill(day(30));
    await page.getByRole('button', { name: 'Grant access' }).click();
    await expect.poll(() => page.getByTestId('practice-auditors').textContent()).toContain('Dana Auditor');
    await page.getByRole('link', { name: '← Practices' }).click();
    await expect.poll(() => page.getByTestId('practices').textContent()).toContain('Riverside Dental');

    // Sites: create one for the new practice; it is listed.
    await nav(page, 'Sites').click();
    const practiceSelect = page.getByTestId('site-practice');
    await practiceSelect.waitFor();
    await practiceSelect.selectOption({ label: 'Riverside Dental' });
    await page.getByLabel('Site name').fill('Riverside Main Street');
    await page.getByLabel('Time zone').fill('America/Chicago');
    await page.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => page.getByTestId('site-name').textContent()).toBe('Riverside Main Street');
    await page.getByText('No appliance has registered yet', { exact: false }).waitFor();

    // Provisioning: the code is shown once, listed as pending, then revoked after a confirmation.
    await page.getByTestId('create-code').click();
    const code = (await page.getByTestId('new-code-value').textContent()) ?? '';
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}(?:-[A-HJ-NP-Z2-9]{4}){3}$/);
    await expect.poll(() => page.getByTestId('code-state').allTextContents()).toEqual(['pending']);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    expect(await page.getByTestId('new-code').count()).toBe(0);
    expect(await page.content()).not.toContain(code);
    await page.getByTestId('revoke-code').click();
    await page.getByRole('dialog').getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('code-state').allTextContents()).toEqual(['revoked']);

    await nav(page, 'Sites').click();
    await expect.poll(() => page.getByTestId('sites').textContent()).toContain('Riverside Main Street');
  }, 40_000);

  it('creates an API key shown once and listed by prefix, then revokes it', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seed.partnerId });
    await page.goto('/partner/api-keys');
    await page.getByTestId('empty').waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Key name').and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Key name').fill('RMM sync');
    await page.getByLabel('Scope').selectOption('read_write');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key-value').textContent()) ?? '';
    expect(key).toMatch(/^osk_/);
    expect(await page.getByTestId('new-key').textContent()).toMatch(/shown only once/);
    const row = page.getByTestId('api-keys').getByRole('row', { name: /RMM sync/ });
    await row.waitFor();
    const shown = (await row.getByTestId('key-prefix').textContent()) ?? '';
    expect(shown).toMatch(/^osk_[^_]+_…$/);
    expect(key.startsWith(shown.replace('…', ''))).toBe(true);
    expect(shown.length).toBeLessThan(key.length);
    await page.reload();
    await page.getByTestId('api-keys').waitFor();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    await page.getByTestId('revoke-key').click();
    await page.getByRole('dialog').getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('key-state').first().textContent()).toMatch(/^revoked/);
    expect(await page.getByTestId('revoke-key').count()).toBe(0);
  }, 20_000);

  it('saves the brand name into the shell, uploads a PNG logo with a preview, and refuses wrong files', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seed.partnerId });
    await page.goto('/partner/branding');
    await page.getByLabel('Brand name').fill('Acme Care IT');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await expect.poll(() => page.getByTestId('brand').textContent()).toBe('Acme Care IT');

    // A wrong type is refused in the browser, before any upload.
    await page
      .getByTestId('logo-file')
      .setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg/>') });
    await expect.poll(() => page.getByTestId('logo-error').textContent()).toMatch(/PNG, JPEG or WebP/);
    expect(await page.getByTestId('upload-logo').isDisabled()).toBe(true);
    // A file that claims PNG but is not one: the server's 415 message shows.
    await page
      .getByTestId('logo-file')
      .setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') });
    await page.getByTestId('upload-logo').click();
    await expect.poll(() => page.getByTestId('logo-error').textContent()).toMatch(/not a valid image\/png/);

    await page.getByTestId('logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await page.getByTestId('upload-logo').click();
    const preview = page.getByTestId('logo-preview');
    await expect.poll(() => preview.getAttribute('data-source')).toBe('saved');
    expect(await preview.getAttribute('src')).toContain(`/v1/partners/${seed.partnerId}/logo`);
    await expect
      .poll(() =>
        preview.evaluate((img) => {
          const image = img as unknown as { complete: boolean; naturalWidth: number };
          return image.complete && image.naturalWidth;
        }),
      )
      .toBe(1);
    await expect.poll(() => page.getByTestId('brand').locator('img').count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByTestId('brand').textContent()).toBe('Acme Care IT');
  }, 20_000);

  it('invites a technician, shows validation and 409 refusals, and keeps the last admin', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seed.partnerId });
    const email = page.principal.email ?? '';
    await page.goto('/partner/people');
    await expect.poll(() => page.getByTestId('members').textContent()).toContain(email);
    await page.getByLabel('Email').fill('bad-email');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByLabel('Email').and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Email').fill('new.tech@msp.example');
    await page.getByTestId('invite-role').selectOption('technician');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.getByTestId('invitations').textContent()).toContain('new.tech@msp.example');
    expect(await page.getByTestId('invitations').textContent()).toContain('Technician');
    await page.getByLabel('Email').fill('new.tech@msp.example');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toMatch(/pending invitation/);

    // The only admin cannot remove themselves: the server's refusal shows in the dialog.
    const me = page.getByTestId('members').getByRole('row', { name: new RegExp(email) });
    await me.getByTestId('remove-member').click();
    await page.getByRole('dialog').getByTestId('confirm').click();
    await expect
      .poll(() => page.getByTestId('confirm-error').textContent())
      .toMatch(/cannot remove yourself|last partner admin/);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('members').textContent()).toContain(email);
  }, 20_000);

  it('a technician runs sites but sees no people, keys or branding, and is told so at their URLs', async () => {
    const page = await web.as({ role: 'technician', partnerId: seed.partnerId });
    await page.goto('/partner');
    await expect.poll(() => heading(page).textContent()).toBe('Dashboard');
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).toEqual([
      'Dashboard',
      'Practices',
      'Sites',
      'Escalations',
      'Exceptions',
      'Packets',
      'Transparency log',
    ]);
    for (const path of ['/partner/people', '/partner/api-keys', '/partner/branding']) {
      await page.goto(path);
      await expect.poll(() => page.getByTestId('no-access').textContent()).toMatch(/Only partner admins/);
    }
    await page.goto('/partner/practices');
    await page.getByTestId('practices').waitFor();
    expect(await page.getByRole('button', { name: 'Create practice' }).count()).toBe(0);
    await page.goto(`/partner/sites/${seed.siteId}`);
    await page.getByTestId('create-code').click();
    await page.getByTestId('new-code-value').waitFor();
  }, 20_000);

  it('works at 390 px: the menu opens, a site opens, nothing overflows sideways', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seed.partnerId }, 'mobile');
    await page.goto('/partner');
    await expect.poll(() => heading(page).textContent()).toBe('Dashboard');
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav(page, 'Sites').click();
    await expect.poll(() => heading(page).textContent()).toBe('Sites');
    await page.getByTestId('sites').getByRole('link', { name: 'seed-site' }).click();
    await expect.poll(() => page.getByTestId('site-name').textContent()).toBe('seed-site');
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
  }, 20_000);
});
