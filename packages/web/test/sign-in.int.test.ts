import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

describe('sign-in in a real browser', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 120_000);
  afterAll(async () => web?.close());

  it('sends a signed-out visitor to the sign-in form, refuses a wrong password, and signs staff in and out', async () => {
    const page = await web.page();
    await page.goto('/admin');
    await page.waitForURL('**/sign-in?next=%2Fadmin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').first().textContent()).toBeTruthy();
    await page.getByLabel('Email').fill('nobody@staff.example');
    await page.getByLabel('Password').fill('wrong-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toMatch(/email or password/i);

    const admin = await web.asStaff('admin');
    expect(await admin.getByTestId('who').textContent()).toContain('admin');
    await admin.reload();
    expect(await admin.getByTestId('who').textContent()).toContain('admin');
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.waitForURL(/\/sign-in/);
    // The app settles on the sign-in form (its own redirects done) before the next navigation.
    await admin.getByLabel('Email').waitFor();
    await admin.waitForLoadState('networkidle');
    await admin.goto('/admin');
    await admin.waitForURL('**/sign-in?next=%2Fadmin');
  });

  it('emails a practice person a link and says the same for any address; a practice user cannot open the admin face', async () => {
    const page = await web.page('mobile');
    await page.goto('/sign-in?as=practice');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    expect(await page.getByRole('alert').textContent()).toBeTruthy();
    await page.getByLabel('Email').fill('someone@clinic.example');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByTestId('check-email').waitFor();
    expect(await page.getByTestId('check-email').textContent()).toContain('someone@clinic.example');

    const { practiceId } = await web.central.createSite('web-practice');
    const viewer = await web.as({ role: 'practice_viewer', practiceId });
    await viewer.goto('/admin');
    await viewer.getByTestId('forbidden').waitFor();
  });

  it('opens a page from the keyboard: Ctrl+K, type, arrows, Enter; Esc closes', async () => {
    const admin = await web.asStaff('admin');
    await admin.getByTestId('who').waitFor();
    await admin.keyboard.press('Control+k');
    const palette = admin.getByTestId('command-palette');
    await palette.waitFor();
    await admin.keyboard.type('aud');
    expect(await palette.getByRole('option').allTextContents()).toEqual(['Audit log']);
    await admin.keyboard.press('Enter');
    await admin.waitForURL('**/admin/audit');
    expect(await palette.isVisible()).toBe(false);

    await admin.keyboard.press('Control+k');
    await palette.waitFor();
    const first = (await palette.getByRole('option').allTextContents())[1];
    await admin.keyboard.press('ArrowDown');
    expect(await palette.getByRole('option', { selected: true }).textContent()).toBe(first);
    await admin.keyboard.press('Escape');
    await expect.poll(() => palette.isVisible()).toBe(false);
  });
});
