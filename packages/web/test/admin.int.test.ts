import { createHash, randomUUID } from 'node:crypto';
import { checkinRequest, createChainWriter, newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

const sig = (label: string) => createHash('sha256').update(label).digest('hex');

describe('the admin face in a real browser', () => {
  let web: WebApp;
  let site: { partnerId: string; practiceId: string; siteId: string };
  let appliance: { applianceId: string; token: string };

  /** A request as the seeded appliance (bearer token), checked for success. */
  async function asAppliance(url: string, payload: unknown) {
    const res = await web.central.t.anonymous.request({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${appliance.token}` },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  }

  const escalation = (summary: string, extra: Record<string, unknown> = {}) => ({
    schemaVersion: 1,
    id: randomUUID(),
    hostId: randomUUID(),
    hostname: 'web01',
    checkId: 'linux.ssh.permit-root-login',
    priority: 'P2',
    summary,
    detected: { reason: 'PermitRootLogin is yes', observed: { permitRootLogin: 'yes' } },
    attempts: [],
    evidenceSeqs: [1],
    createdAt: new Date().toISOString(),
    ...extra,
  });

  const pattern = (label: string) => ({
    patternSignature: sig(label),
    checkId: 'linux.ssh.x11-forwarding',
    incidentType: `drift-${label}`,
    occurrences: 7,
    l1Attempts: 0,
    l1Successes: 0,
    l2Attempts: 6,
    l2Successes: 6,
    l3Escalations: 0,
    firstSeenAt: '2026-11-01T00:00:00.000Z',
    lastSeenAt: '2026-11-30T00:00:00.000Z',
    fixes: [{ tier: 'L2', runbookId: 'rb-linux.ssh.x11-forwarding', params: { label }, attempts: 6, successes: 6 }],
  });

  /** Clicks a nav link (opening the menu first on a narrow screen). */
  async function nav(page: Page, label: string) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  }

  beforeAll(async () => {
    web = await startWebApp();
    const { t } = web.central;
    site = await web.central.createSite('Main Street');
    const identity = newApplianceIdentity();
    const code = await web.central.provisionCode(site.siteId);
    const reg = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/register',
      payload: registrationRequest(identity, code, { hostname: 'appl-main', signedAt: t.clock.now().toISOString() }),
    });
    expect(reg.statusCode, reg.body).toBe(201);
    appliance = reg.json();
    await asAppliance('/v1/appliance/checkin', checkinRequest({ sentAt: t.clock.now().toISOString() }));
    const next = createChainWriter(appliance.applianceId, identity.pkcs8, {
      hostname: 'fs01',
      statusOf: (seq) => (seq % 2 ? 'fail' : 'pass'),
    });
    await asAppliance('/v1/appliance/evidence', { schemaVersion: 1, bundles: await next(4) });
    await asAppliance('/v1/appliance/escalations', escalation('Root can log in over SSH'));
    await asAppliance(
      '/v1/appliance/escalations',
      escalation('Firewall fix needs approval', {
        priority: 'P1',
        proposal: {
          incidentId: randomUUID(),
          runbookId: 'rb-linux.ssh.x11-forwarding',
          params: {},
          confidence: 0.4,
          reasoning: 'Disabling X11 forwarding is safe but confidence is low.',
          why: 'low_confidence',
        },
      }),
    );
    await asAppliance('/v1/appliance/patterns', { schemaVersion: 1, patterns: [pattern('one'), pattern('two')] });
  }, 120_000);
  afterAll(async () => web?.close());

  it('shows the fleet overview and manages partners: validation, duplicate slug, approve and reject', async () => {
    const pendingA = await web.central.call<{ id: string }>('POST', '/v1/partners', {
      name: 'Pending Alpha',
      slug: 'pending-alpha',
      status: 'pending',
    });
    await web.central.call('POST', '/v1/partners', { name: 'Pending Beta', slug: 'pending-beta', status: 'pending' });
    const page = await web.asStaff('admin');
    await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
    await expect.poll(() => page.getByTestId('kpi-escalations').textContent()).toContain('2');
    await expect.poll(() => page.getByTestId('kpi-candidates').textContent()).toContain('2');
    await expect.poll(() => page.getByTestId('kpi-online').textContent()).toContain('1 / 1');
    const health = page.getByTestId('site-health');
    await expect.poll(() => health.textContent()).toContain('Main Street');
    expect(await page.getByTestId('site-cap').textContent()).toMatch(/at most 50/);
    expect(await page.getByTestId('recent-escalations').textContent()).toContain('Firewall fix needs approval');

    await nav(page, 'Partners');
    await page.getByRole('heading', { name: 'Partners' }).waitFor();
    // Pending ones come first.
    await expect
      .poll(() => page.getByTestId('partners').locator('tbody tr').first().textContent())
      .toContain('pending');

    await page.getByRole('button', { name: 'New partner' }).click();
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.getByLabel('Name', { exact: true }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Acme IT Services');
    expect(await page.getByLabel('Slug').inputValue()).toBe('acme-it-services');
    await page.getByLabel('Contact email').fill('not-an-email');
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.getByLabel('Contact email').and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Contact email').fill('ops@acme.example');
    await page.getByRole('button', { name: 'Create partner' }).click();
    await expect.poll(() => page.getByTestId('partners').textContent()).toContain('Acme IT Services');

    // The same slug again: the server's 409 is shown.
    await page.getByRole('button', { name: 'New partner' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Acme IT Services');
    await page.getByRole('button', { name: 'Create partner' }).click();
    await expect
      .poll(() => page.getByTestId('form-error').textContent())
      .toContain('A partner with slug "acme-it-services" already exists');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Status filter.
    await page.getByRole('tab', { name: 'Pending' }).click();
    await expect.poll(() => page.getByTestId('partners').locator('tbody tr').count()).toBe(2);

    await page.getByRole('link', { name: 'Pending Alpha' }).click();
    await page.waitForURL(`**/admin/partners/${pendingA.id}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('.card .badge').first().textContent()).toBe('active');

    await page.goto('/admin/partners');
    await page.getByRole('link', { name: 'Pending Beta' }).click();
    await page.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reject partner' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel(/Reason/).fill('Not a healthcare MSP');
    await dialog.getByRole('button', { name: 'Reject partner' }).click();
    await expect.poll(() => page.locator('.card .badge').first().textContent()).toBe('rejected');
  });

  it('creates a practice and a site, and runs a site: results, appliance, healing tier and run checks', async () => {
    await web.central.call('POST', '/v1/partners', { name: 'Bright MSP', slug: 'bright-msp' });
    const page = await web.asStaff('operator');
    await nav(page, 'Practices');
    await page.getByRole('button', { name: 'New practice' }).click();
    await page.getByRole('button', { name: 'Create practice' }).click();
    await page.getByText('Choose a partner', { exact: true }).waitFor();
    const partnerOption = await page
      .getByTestId('practice-partner')
      .locator('option', { hasText: 'Bright MSP' })
      .getAttribute('value');
    await page.getByTestId('practice-partner').selectOption(partnerOption ?? '');
    await page.getByLabel('Name', { exact: true }).fill('Smile Dental');
    await page.getByRole('button', { name: 'Create practice' }).click();
    await expect.poll(() => page.getByTestId('practices').textContent()).toContain('Smile Dental');

    await nav(page, 'Sites');
    await page.getByRole('button', { name: 'New site' }).click();
    await page.getByTestId('site-practice').selectOption({ label: 'Smile Dental' });
    await page.getByLabel('Name', { exact: true }).fill('Smile Dental Downtown');
    await page.getByLabel('Time zone').fill('Not/AZone');
    await page.getByRole('button', { name: 'Create site' }).click();
    await page.getByLabel('Time zone').and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Time zone').fill('America/New_York');
    await page.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(() => page.getByTestId('sites').textContent()).toContain('Smile Dental Downtown');

    // A new site has no appliance: empty states and no orders possible.
    await page.getByRole('link', { name: 'Smile Dental Downtown' }).click();
    await page.getByRole('heading', { name: 'Smile Dental Downtown' }).waitFor();
    await expect.poll(() => page.getByTestId('empty').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByRole('button', { name: 'Run checks now' }).isDisabled()).toBe(true);

    await page.goto(`/admin/sites/${site.siteId}`);
    await expect.poll(() => page.getByTestId('appliances').textContent()).toContain('appl-main');
    expect(await page.getByTestId('appliances').textContent()).toContain('ok');
    await expect.poll(() => page.getByTestId('results').locator('tbody tr').count()).toBe(2);
    const results = await page.getByTestId('results').textContent();
    expect(results).toContain('linux.ssh.permit-root-login');
    expect(results).toContain('fs01');
    expect(results).toMatch(/fail/);
    expect(results).toMatch(/pass/);

    await page.getByTestId('healing-tier').selectOption('l1_l2');
    await page.getByRole('button', { name: 'Set healing tier' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send order' }).click();
    await page.getByTestId('toast').filter({ hasText: 'set_healing_policy' }).waitFor();
    await expect.poll(() => page.getByTestId('orders').textContent()).toContain('tier l1_l2');
    await page.getByRole('button', { name: 'Run checks now' }).click();
    await expect.poll(() => page.getByTestId('orders').textContent()).toContain('run_checks_now');
    const orders = await web.central.orders(appliance.applianceId);
    expect(orders.map((o) => o.type).sort()).toEqual(['run_checks_now', 'set_healing_policy']);

    // A site that does not exist: the error state, with a retry.
    await page.goto(`/admin/sites/${randomUUID()}`);
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/not found/i);
    await page.getByTestId('error').getByRole('button', { name: 'Try again' }).waitFor();
  });

  it('filters escalations, acknowledges and resolves one, and approves a proposed fix', async () => {
    const page = await web.asStaff('operator');
    await nav(page, 'Escalations');
    await expect.poll(() => page.getByTestId('escalations').locator('tbody tr').count()).toBe(2);
    await page.getByTestId('esc-priority').selectOption('P1');
    await expect.poll(() => page.getByTestId('escalations').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('esc-priority').selectOption('');

    await page.getByRole('link', { name: 'Root can log in over SSH' }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByTestId('esc-state-badge').textContent()).toBe('acknowledged');
    await page.getByRole('button', { name: 'Resolve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel(/Resolution/).fill('Disabled root login after creating admin accounts');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.getByTestId('esc-state-badge').textContent()).toBe('resolved');
    expect(await page.getByTestId('resolution').textContent()).toContain('Disabled root login');

    await page.goto('/admin/escalations');
    await page.getByTestId('esc-state').selectOption('resolved');
    await expect.poll(() => page.getByTestId('escalations').textContent()).toContain('Root can log in over SSH');
    await page.getByTestId('esc-state').selectOption('open');
    await page.getByRole('link', { name: 'Firewall fix needs approval' }).click();
    await page.getByRole('button', { name: 'Approve fix' }).click();
    await expect.poll(() => page.getByTestId('proposal').textContent()).toContain('Approved');
  });

  it('approves and rejects learning candidates (a rejection needs a note)', async () => {
    const page = await web.asStaff('admin');
    await nav(page, 'Learning');
    const table = page.getByTestId('learning');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await table.locator('tbody tr').first().getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Approved' }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);

    await table.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel(/Why/).fill('Too broad for every site');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('No candidates waiting.').waitFor();

    await page.getByRole('tab', { name: 'Approved' }).click();
    await expect.poll(() => page.getByTestId('learning').locator('tbody tr').count()).toBe(1);
    await page.getByRole('tab', { name: 'Rejected' }).click();
    await expect.poll(() => page.getByTestId('learning').textContent()).toContain('Too broad for every site');
  });

  it('manages users and invitations, refuses self-disable, verifies the audit chain and decides a transfer', async () => {
    const other = await web.central.createSite('Transfer Site');
    const transfer = await web.central.call<{ id: string }>(
      'POST',
      `/v1/practices/${other.practiceId}/transfer-requests`,
      { toPartnerId: site.partnerId, reason: 'Moving to a closer MSP' },
    );
    const page = await web.asStaff('admin');
    await nav(page, 'Users');
    await page.getByRole('heading', { name: 'Users' }).waitFor();

    // Invite: validation first, then the link shown once.
    await page.getByLabel('Email', { exact: true }).fill('bad-email');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByLabel('Email', { exact: true }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('new.operator@staff.example');
    await page.getByTestId('invite-role').selectOption('readonly');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const link = page.getByTestId('invite-link');
    await link.waitFor();
    expect(await link.getByLabel('Invitation link').inputValue()).toMatch(/^https?:\/\/.+/);
    await expect.poll(() => page.getByTestId('invitations').textContent()).toContain('new.operator@staff.example');

    // Change someone's role, then disable and enable them.
    const email = `target-${randomUUID().slice(0, 6)}@staff.example`;
    await web.central.t.createUser('readonly', email, 'a-long-enough-password-1');
    await page.reload();
    await page.getByLabel(`Role of ${email}`).selectOption('operator');
    await page.getByTestId('toast').filter({ hasText: 'operator' }).waitFor();
    await page.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: `Enable ${email}` }).waitFor();
    await page.getByRole('button', { name: `Enable ${email}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: `Disable ${email}` }).waitFor();

    // Disabling oneself: the server's 409 is shown.
    const meRow = page.getByTestId('users').locator('tr', { hasText: '(you)' });
    await meRow.getByRole('button', { name: /^Disable/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await expect
      .poll(() => page.getByRole('dialog').getByTestId('dialog-error').textContent())
      .toContain('You cannot change your own role or disable yourself');
    expect(await meRow.getByRole('combobox').isDisabled()).toBe(true);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // Revoke the invitation.
    await page.getByRole('button', { name: 'Revoke invitation for new.operator@staff.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No pending invitations.').waitFor();

    await nav(page, 'Audit log');
    await expect.poll(() => page.getByTestId('audit').textContent()).toContain('partner.create');
    await page.getByLabel('Action').fill('partner.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    const actions = page.getByTestId('audit').locator('tbody td:nth-child(3)');
    await expect.poll(async () => [...new Set(await actions.allTextContents())]).toEqual(['partner.create']);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toMatch(/Chain intact: \d+ entries/);

    await nav(page, 'Transfers');
    const row = page.getByTestId('transfers').locator('tr', { hasText: 'Moving to a closer MSP' });
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText('No pending transfer requests.').waitFor();
    await page.getByRole('tab', { name: 'Approved' }).click();
    await expect.poll(() => page.getByTestId('transfers').textContent()).toContain('Moving to a closer MSP');
    expect(transfer.id).toBeTruthy();
  });

  it('hides Users and Audit from read-only and operator staff and denies those pages', async () => {
    const page = await web.asStaff('readonly');
    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    await expect.poll(() => links.allTextContents()).toContain('Partners');
    expect(await links.allTextContents()).not.toContain('Users');
    expect(await links.allTextContents()).not.toContain('Audit log');
    await page.goto('/admin/users');
    expect(await page.getByTestId('access-denied').textContent()).toContain('You do not have access to this page');
    await page.goto('/admin/audit');
    await page.getByTestId('access-denied').waitFor();
    // Read-only staff see partners but cannot create them.
    await page.goto('/admin/partners');
    await page.getByTestId('partners').waitFor();
    expect(await page.getByRole('button', { name: 'New partner' }).count()).toBe(0);

    const operator = await web.asStaff('operator');
    await operator.goto('/admin/audit');
    await operator.getByTestId('access-denied').waitFor();
  });

  it('works at 390 px: the menu opens, navigates and closes', async () => {
    const page = await web.asStaff('admin', 'mobile');
    await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await page.getByRole('link', { name: 'Escalations', exact: true }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav(page, 'Escalations');
    await page.waitForURL('**/admin/escalations');
    await page.getByRole('heading', { name: 'Escalations' }).waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await page.goto('/admin');
    await page.getByTestId('site-health').waitFor();
    // Nothing overflows the narrow screen.
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(width).toBeLessThanOrEqual(400);
  });
});
