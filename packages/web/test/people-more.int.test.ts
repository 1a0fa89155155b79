import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link');
const nav = (page: Page, label: string) => navLinks(page).filter({ hasText: new RegExp(`^${label}$`) });
const toasts = (page: Page) => page.getByTestId('toast').allTextContents();

describe('pending invitations and practice transfers in a real browser', () => {
  let web: WebApp;
  /** Where practices move to: an approved partner, known to the owner by its slug. */
  let destination: { id: string; slug: string; name: string };

  /** A practice of its own per owner session (a practice has exactly one owner). */
  async function ownerOfNewPractice() {
    const ids = await web.central.createSite(`transfer-${randomBytes(3).toString('hex')}`);
    const page = await web.as({ role: 'practice_owner', practiceId: ids.practiceId });
    return { ids, page };
  }

  beforeAll(async () => {
    web = await startWebApp();
    const slug = `dest-${randomBytes(4).toString('hex')}`;
    destination = await web.central.call('POST', '/v1/partners', { name: `Destination ${slug}`, slug });
  }, 120_000);
  afterAll(async () => web?.close());

  it('a partner admin invites someone, sees the invitation pending and revokes it', async () => {
    const { partnerId } = await web.central.createSite();
    const page = await web.as({ role: 'partner_admin', partnerId });
    await page.goto('/partner/people');
    await page.getByText('No pending invitations.').waitFor();
    await page.getByLabel('Email').fill('pending.tech@msp.example');
    await page.getByTestId('invite-role').selectOption('technician');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const pending = page.getByTestId('invitations');
    await expect.poll(() => pending.textContent()).toContain('pending.tech@msp.example');
    const row = pending.getByRole('row', { name: /pending\.tech@msp\.example/ });
    expect(await row.textContent()).toContain('Technician');
    // Who sent it is named from the partner's members.
    expect(await row.textContent()).toContain('Test partner_admin');

    await row.getByRole('button', { name: 'Revoke invitation for pending.tech@msp.example' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('pending.tech@msp.example');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    expect(await pending.textContent()).toContain('pending.tech@msp.example');
    await row.getByRole('button', { name: 'Revoke invitation for pending.tech@msp.example' }).click();
    await dialog.getByTestId('confirm-revoke').click();
    await expect.poll(() => toasts(page)).toContain('The invitation for pending.tech@msp.example was revoked');
    await page.getByText('No pending invitations.').waitFor();
    // Still gone after a reload (the server revoked it), and the address may be invited again.
    await page.reload();
    await page.getByText('No pending invitations.').waitFor();
  });

  it('a practice owner sees a new invitation pending on the Team page and revokes it', async () => {
    const { page } = await ownerOfNewPractice();
    await page.goto('/practice/team');
    const form = page.getByTestId('invite-form');
    await form.getByLabel('Email').fill('pending.viewer@clinic.example');
    await form.getByLabel('Role').selectOption('practice_viewer');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    const pending = page.getByTestId('pending-invitations');
    await expect.poll(() => pending.textContent()).toContain('pending.viewer@clinic.example');
    expect(await pending.textContent()).toContain('Viewer');
    await pending.getByRole('button', { name: 'Revoke invitation for pending.viewer@clinic.example' }).click();
    await page.getByRole('dialog').getByTestId('confirm-revoke').click();
    await expect.poll(() => toasts(page)).toContain('The invitation for pending.viewer@clinic.example was revoked');
    await page.getByText('No pending invitations.').waitFor();
  });

  it('the owner requests a transfer by slug, sees validation and server errors, then cancels it', async () => {
    const { page } = await ownerOfNewPractice();
    await page.goto('/practice');
    await nav(page, 'Transfer').click();
    await expect.poll(() => heading(page).textContent()).toBe('Transfer');
    await page.getByText('No transfer requests.').waitFor();
    const form = page.getByTestId('transfer-form');
    const slug = form.getByLabel('Destination partner (identifier)');
    const reason = form.getByLabel('Reason');
    const submit = form.getByRole('button', { name: 'Request transfer' });

    // Both required, checked in the browser with the server's schema.
    await submit.click();
    await slug.and(page.locator('[aria-invalid="true"]')).waitFor();
    await reason.and(page.locator('[aria-invalid="true"]')).waitFor();
    // An empty reason is refused even with a slug.
    await slug.fill('no-such-msp');
    await submit.click();
    await reason.and(page.locator('[aria-invalid="true"]')).waitFor();
    expect(await slug.getAttribute('aria-invalid')).toBeNull();
    // An unknown slug is the server's answer, shown on the form and on the field.
    await reason.fill('Our new IT partner is closer to the clinic.');
    await submit.click();
    await expect.poll(() => form.getByTestId('transfer-error').textContent()).toContain('No approved partner');
    await slug.and(page.locator('[aria-invalid="true"]')).waitFor();

    await slug.fill(destination.slug);
    await submit.click();
    await expect.poll(() => toasts(page)).toContain('Transfer requested: the platform team will decide');
    const requests = page.getByTestId('transfer-requests');
    const row = requests.getByRole('row', { name: /closer to the clinic/ });
    await expect.poll(() => row.textContent()).toContain('pending');
    expect(await slug.inputValue()).toBe('');

    await row.getByRole('button', { name: 'Cancel request' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('confirm-cancel').click();
    await expect.poll(() => toasts(page)).toContain('Transfer request cancelled');
    await expect.poll(() => row.textContent()).toContain('cancelled');
    expect(await row.getByRole('button', { name: 'Cancel request' }).count()).toBe(0);
  });

  it('a practice admin has no Transfer item and is told the page is the owner’s', async () => {
    const { ids } = await ownerOfNewPractice();
    const page = await web.as({ role: 'practice_admin', practiceId: ids.practiceId });
    await page.goto('/practice');
    await expect.poll(() => navLinks(page).allTextContents()).toContain('Team');
    expect(await navLinks(page).allTextContents()).not.toContain('Transfer');
    await page.goto('/practice/transfer');
    expect(await page.getByTestId('access-denied').textContent()).toContain('Only the owner can transfer the practice');
    expect(await page.getByTestId('transfer-form').count()).toBe(0);
  });

  it('the platform admin approves a request filed by an owner; cancelled ones have their own tab', async () => {
    const { ids, page: owner } = await ownerOfNewPractice();
    const reasonText = `Approve me ${randomBytes(3).toString('hex')}`;
    await owner.goto('/practice/transfer');
    await owner.getByLabel('Destination partner (identifier)').fill(destination.slug);
    await owner.getByLabel('Reason').fill(reasonText);
    await owner.getByRole('button', { name: 'Request transfer' }).click();
    await expect.poll(() => owner.getByTestId('transfer-requests').textContent()).toContain(reasonText);

    const admin = await web.asStaff('admin');
    await nav(admin, 'Transfers').click();
    const row = admin.getByTestId('transfers').locator('tr', { hasText: reasonText });
    expect(await row.textContent()).toContain(destination.name);
    await row.getByRole('button', { name: 'Approve' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => toasts(admin)).toContain('Transfer approved');
    await admin.getByRole('tab', { name: 'Approved' }).click();
    await expect.poll(() => admin.getByTestId('transfers').textContent()).toContain(reasonText);
    await admin.getByRole('tab', { name: 'Cancelled' }).click();
    await expect.poll(() => admin.getByTestId('transfers').textContent()).toContain('closer to the clinic');

    // The practice now belongs to the destination; its owner sees the request approved.
    const practice = await web.central.call<{ partnerId: string }>('GET', `/v1/practices/${ids.practiceId}`);
    expect(practice.partnerId).toBe(destination.id);
    await owner.reload();
    const ownerRow = owner.getByTestId('transfer-requests').getByRole('row', { name: new RegExp(reasonText) });
    await expect.poll(() => ownerRow.textContent()).toContain('approved');
  });
});
