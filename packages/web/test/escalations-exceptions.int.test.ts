import { randomUUID } from 'node:crypto';
import { checkinRequest, newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import { checksForFrameworkControl, controlsOf } from '@osiris/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

const MINUTE = 60_000;
const DAY = 86_400_000;
const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

describe('escalation SLAs and compliance exceptions in a real browser', () => {
  let web: WebApp;
  let site: { partnerId: string; practiceId: string; siteId: string };
  let token: string;

  async function escalate(summary: string, priority: 'P1' | 'P2' | 'P3' | 'P4') {
    const res = await web.central.t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/escalations',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        schemaVersion: 1,
        id: randomUUID(),
        hostId: randomUUID(),
        hostname: 'ehr01',
        checkId: 'linux.ssh.permit-root-login',
        priority,
        summary,
        detected: { reason: 'PermitRootLogin is yes', observed: { permitRootLogin: 'yes' } },
        attempts: [],
        evidenceSeqs: [],
        createdAt: web.central.t.clock.now().toISOString(),
      },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
  }

  const row = (page: Page, testId: string, text: string | RegExp) =>
    page.getByTestId(testId).locator('tbody tr').filter({ hasText: text });

  beforeAll(async () => {
    web = await startWebApp();
    const { t } = web.central;
    site = await web.central.createSite('Harbor clinic');
    const identity = newApplianceIdentity();
    const code = await web.central.provisionCode(site.siteId);
    const reg = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/register',
      payload: registrationRequest(identity, code, { hostname: 'appl', signedAt: t.clock.now().toISOString() }),
    });
    expect(reg.statusCode, reg.body).toBe(201);
    token = (reg.json() as { token: string }).token;
    const checkin = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/checkin',
      headers: { authorization: `Bearer ${token}` },
      payload: checkinRequest({ sentAt: t.clock.now().toISOString() }),
    });
    expect(checkin.statusCode, checkin.body).toBeLessThan(300);
    await escalate('Root can log in over SSH', 'P1');
    await escalate('Disk encryption is off', 'P4');
  }, 120_000);
  afterAll(async () => web?.close());

  it('counts down the SLA, shows the overdue and breached state after the clock moves, assigns and takes notes', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: site.partnerId });
    await page.goto('/partner/escalations');
    const urgent = row(page, 'escalations', 'Root can log in over SSH');
    await expect.poll(() => urgent.getByTestId('sla-timer').textContent()).toMatch(/^1[45] min left$/);
    expect(await row(page, 'escalations', 'Disk encryption').getByTestId('sla-timer').textContent()).toMatch(
      /^[78] h( \d+ min)? left$/,
    );
    await page.getByTestId('esc-sort').selectOption('urgency');
    expect(await page.getByTestId('escalations').locator('tbody tr').first().textContent()).toContain(
      'Root can log in',
    );
    await page.getByTestId('esc-priority').selectOption('P4');
    await expect.poll(() => page.getByTestId('escalations').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('esc-priority').selectOption('');

    // Twenty minutes later the P1 is overdue; the breach job marks it breached.
    web.central.t.clock.advance(20 * MINUTE);
    await web.central.t.services.escalations.breachDue();
    await page.reload();
    await expect.poll(() => urgent.getByTestId('sla-timer').textContent()).toMatch(/overdue by [45] min/);
    await urgent.getByTestId('breached').waitFor();

    await urgent.getByRole('link', { name: 'Root can log in over SSH' }).click();
    await page
      .getByTestId('sla-timer')
      .filter({ hasText: /overdue by/ })
      .waitFor();
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => page.getByTestId('assignee').textContent()).toContain('Assigned to you');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Write a note').waitFor();
    await page.getByTestId('note-body').fill('Called the office manager; root login needed for the EHR vendor.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.getByTestId('notes').textContent()).toContain('Called the office manager');
    expect(await page.getByTestId('notes').textContent()).toContain('you');

    await page.goto('/partner/escalations');
    await page.getByTestId('esc-assigned').selectOption('me');
    await expect.poll(() => page.getByTestId('escalations').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('esc-assigned').selectOption('none');
    await expect.poll(() => page.getByTestId('escalations').textContent()).toContain('Disk encryption is off');
    expect(await page.getByTestId('escalations').textContent()).not.toContain('Root can log in');
  });

  it('lets a partner admin change the escalation SLAs (validated) and restore the defaults', async () => {
    const page = await web.as({ role: 'partner_admin', partnerId: site.partnerId }, 'mobile');
    await page.goto('/partner/escalations');
    const card = page.getByTestId('sla-settings');
    const p1 = card.getByLabel('P1 acknowledge within (minutes)');
    await expect.poll(() => p1.inputValue()).toBe('15');
    await p1.fill('3');
    await card.getByRole('button', { name: 'Save SLAs' }).click();
    await card.getByText('Whole minutes from 5 to 10080').waitFor();
    await p1.fill('30');
    await card.getByRole('button', { name: 'Save SLAs' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Escalation SLAs saved' }).waitFor();
    const sla = await web.central.call<{ P1: number; P2: number }>(
      'GET',
      `/v1/partners/${site.partnerId}/escalation-sla`,
    );
    expect(sla).toMatchObject({ P1: 30, P2: 60 });
    await card.getByRole('button', { name: 'Restore defaults' }).click();
    await expect.poll(() => p1.inputValue()).toBe('15');

    // Technicians do not see the card.
    const tech = await web.as({ role: 'technician', partnerId: site.partnerId });
    await tech.goto('/partner/escalations');
    await tech.getByTestId('escalations').waitFor();
    expect(await tech.getByTestId('sla-settings').count()).toBe(0);
  });

  it('takes exception requests, decisions and revocations to the partner, practice and auditor faces', async () => {
    const tech = await web.as({ role: 'technician', partnerId: site.partnerId });
    await tech.goto('/partner/exceptions');
    await tech.getByTestId('empty').waitFor();
    await tech.getByRole('button', { name: 'Request an exception' }).click();
    await tech.getByLabel('Check', { exact: true }).selectOption('linux.ssh.permit-root-login');
    await tech.getByTestId('exception-reason').fill('too short');
    await tech.getByLabel('Ends on').fill(isoDay(new Date(Date.now() + 400 * DAY)));
    await tech.getByRole('button', { name: 'Request exception' }).click();
    await tech.getByText('Give at least 10 characters').waitFor();
    await tech.getByText('At most one year').waitFor();
    const techReason = 'The EHR vendor logs in as root; access is limited to the vendor VPN.';
    await tech.getByTestId('exception-reason').fill(techReason);
    await tech.getByLabel('Ends on').fill(isoDay(new Date(Date.now() + 30 * DAY)));
    await tech.getByRole('button', { name: 'Request exception' }).click();
    await tech.getByTestId('toast').filter({ hasText: 'Exception requested' }).waitFor();
    await expect.poll(() => row(tech, 'exceptions', 'EHR vendor').textContent()).toContain('pending');
    // Technicians may ask but not decide.
    expect(await tech.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    const admin = await web.as({ role: 'partner_admin', partnerId: site.partnerId });
    await admin.goto('/partner/exceptions');
    await row(admin, 'exceptions', 'EHR vendor').getByRole('button', { name: 'Approve' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => row(admin, 'exceptions', 'EHR vendor').getByTestId('exception-state').textContent())
      .toMatch(/Active\s*(29|30) days left/);

    // The practice owner asks for one on a framework control, on a phone.
    const control = controlsOf('hipaa').find((c) => checksForFrameworkControl('hipaa', c.id).length > 0);
    if (!control) throw new Error('no HIPAA control with checks');
    const owner = await web.as({ role: 'practice_owner', practiceId: site.practiceId }, 'mobile');
    await owner.goto('/practice/exceptions');
    await owner.getByRole('button', { name: 'Request an exception' }).click();
    await owner.getByLabel('Excuse from').selectOption('control');
    await owner.getByLabel('Control', { exact: true }).selectOption(control.id);
    await owner.getByTestId('covered-checks').waitFor();
    const ownerReason = 'The front desk PC runs the imaging software that needs this; it sits on its own VLAN.';
    await owner.getByTestId('exception-reason').fill(ownerReason);
    await owner.getByLabel('Ends on').fill(isoDay(new Date(Date.now() + 90 * DAY)));
    await owner.getByRole('button', { name: 'Request exception' }).click();
    await owner.getByTestId('toast').filter({ hasText: 'Exception requested' }).waitFor();
    await expect.poll(() => row(owner, 'exceptions', 'imaging software').textContent()).toContain('pending');
    expect(await owner.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    await admin.reload();
    await row(admin, 'exceptions', 'imaging software').getByRole('button', { name: 'Approve' }).click();
    await admin.getByRole('dialog').getByLabel('Note (optional)').fill('Reviewed the VLAN rules.');
    await admin.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => row(admin, 'exceptions', 'imaging software').textContent()).toContain('Active');

    // Revoking needs a note.
    await row(admin, 'exceptions', 'EHR vendor').getByRole('button', { name: 'Revoke' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByText('Say why').waitFor();
    await dialog.getByLabel('Why (required)').fill('The vendor now supports a named account.');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row(admin, 'exceptions', 'EHR vendor').textContent()).toContain('revoked');
    expect(await row(admin, 'exceptions', 'EHR vendor').textContent()).toContain('revoked by you');
    expect(await row(admin, 'exceptions', 'EHR vendor').getByTestId('end-note').textContent()).toBe(
      'Revoked: “The vendor now supports a named account.”',
    );

    const auditor = await web.as({ role: 'auditor', practiceId: site.practiceId });
    await auditor.goto('/auditor/exceptions');
    const seen = row(auditor, 'exceptions', 'imaging software');
    await expect.poll(() => seen.textContent()).toContain(ownerReason);
    // The approver by name (auditors cannot look users up).
    expect(await seen.getByTestId('decision').textContent()).toContain('Approved by Test partner_admin');
    expect(await auditor.getByRole('button', { name: /Approve|Revoke/ }).count()).toBe(0);

    const staff = await web.asStaff('admin');
    await staff.goto('/admin/exceptions');
    await expect.poll(() => staff.getByTestId('exceptions').locator('tbody tr').count()).toBe(2);
  });
});
