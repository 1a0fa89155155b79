import { createHmac } from 'node:crypto';
import { startTestHttpReceiver, type TestHttpReceiver } from '@osiris/central/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

const heading = (page: Page) => page.getByRole('heading', { level: 1 });
const nav = (page: Page, label: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });

describe('notifications in a real browser', () => {
  let web: WebApp;
  let receiver: TestHttpReceiver;
  let seed: { partnerId: string };
  beforeAll(async () => {
    receiver = await startTestHttpReceiver();
    // A local receiver is plain http on loopback: allowed for this test only.
    web = await startWebApp({ NOTIFICATIONS_ALLOW_HTTP: true, NOTIFICATIONS_ALLOW_PRIVATE_TARGETS: true });
    seed = await web.central.createSite('notify-site');
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await receiver?.close();
  });

  it('a partner admin creates a webhook channel, sends a test, routes events and deletes it', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: seed.partnerId });
    await page.goto('/partner');
    await nav(page, 'Notifications').click();
    await expect.poll(() => heading(page).textContent()).toBe('Notifications');
    await page.getByText('No channels yet.').waitFor();
    await page.getByText('Nothing sent yet.').waitFor();

    // Client-side validation with the protocol schema: a bad URL is shown at its field.
    await page.getByLabel('Channel name').fill('On-call webhook');
    await page.getByLabel('URL').fill('not a url');
    await page.getByTestId('generate-secret').click();
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByLabel('URL').and(page.locator('[aria-invalid="true"]')).waitFor();
    expect(await page.getByTestId('channel-form').getByRole('alert').first().textContent()).toContain('URL');
    expect(receiver.requests).toHaveLength(0);

    await page.getByLabel('URL').fill(`${receiver.url}/hook`);
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Create channel' }).click();
    await expect.poll(() => page.getByTestId('notification-channels').textContent()).toContain('On-call webhook');
    // The secret is never shown again: only its last four characters.
    expect(await page.getByTestId('notification-channels').textContent()).toContain(`••••${secret.slice(-4)}`);
    expect(await page.content()).not.toContain(secret);

    await page.getByTestId('send-test').click();
    await expect
      .poll(() => page.getByTestId('toast').filter({ hasText: 'Test to' }).first().textContent())
      .toContain('sent (HTTP 200)');
    const [request] = receiver.requests;
    const timestamp = String(request?.headers['x-osiris-timestamp']);
    const expected = createHmac('sha256', secret).update(`${timestamp}.${request?.body}`).digest('hex');
    expect(request?.headers['x-osiris-signature']).toBe(`v1=${expected}`);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ type: 'test', priority: 'P4' });
    await expect.poll(() => page.getByTestId('notification-deliveries').textContent()).toContain('sent');

    // A routing rule over the new channel.
    await page.getByTestId('rule-form').getByLabel('escalation.created').check();
    await page.getByTestId('rule-form').getByLabel('On-call webhook (webhook)').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => page.getByTestId('notification-rules').textContent()).toContain('escalation.created');
    expect(await page.getByTestId('notification-rules').textContent()).toContain('On-call webhook');

    // Delete, after confirming.
    await page.getByTestId('delete-channel').click();
    await page.getByTestId('confirm-delete-channel').click();
    await page.getByText('No channels yet.').waitFor();
  });

  it('platform staff reach the platform notifications page; technicians do not see the partner one', async () => {
    const admin = await web.asStaff('admin');
    await nav(admin, 'Notifications').click();
    await expect.poll(() => heading(admin).textContent()).toBe('Notifications');
    await admin.getByTestId('channel-form').waitFor();

    const tech = await web.as({ role: 'technician', partnerId: seed.partnerId });
    await tech.goto('/partner');
    await expect.poll(() => heading(tech).textContent()).toBe('Dashboard');
    expect(await nav(tech, 'Notifications').count()).toBe(0);
  });
});
