import { checkinRequest, createChainWriter, newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

const RECEPTION = '01890000-0000-7000-8000-0000000c0001';
const DOCTOR = '01890000-0000-7000-8000-0000000c0002';
const CHECKS = ['windows.workstation.bitlocker', 'windows.workstation.defender', 'windows.workstation.firewall'];

describe('workstations of a site in a real browser', () => {
  let web: WebApp;
  let site: { partnerId: string; practiceId: string; siteId: string };
  let token: string;

  const row = (page: Page, testId: string, text: string) =>
    page.getByTestId(testId).locator('tbody tr').filter({ hasText: text });

  beforeAll(async () => {
    web = await startWebApp();
    const { t } = web.central;
    site = await web.central.createSite('Lakeside clinic');
    const identity = newApplianceIdentity();
    const code = await web.central.provisionCode(site.siteId);
    const reg = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/register',
      payload: registrationRequest(identity, code, { hostname: 'appl', signedAt: t.clock.now().toISOString() }),
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const registered = reg.json() as { applianceId: string; token: string };
    token = registered.token;
    const agent = (agentId: string, hostname: string, os: string, droppedResultsTotal: number) => ({
      agentId,
      hostname,
      os,
      osVersion: os === 'windows' ? 'Windows 11 Pro 23H2' : 'macOS 14.6',
      agentVersion: '0.9.1',
      status: 'active',
      enrolledAt: '2026-11-20T10:00:00.000Z',
      lastSeenAt: t.clock.now().toISOString(),
      droppedResultsTotal,
    });
    const roster = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/agents',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        schemaVersion: 1,
        agents: [agent(RECEPTION, 'reception-pc', 'windows', 3), agent(DOCTOR, 'doctor-mac', 'macos', 0)],
      },
    });
    expect(roster.statusCode, roster.body).toBe(200);
    // A Windows server registered by hand, and signed results of the reception PC and the server.
    const created = await web.central.admin.request({
      method: 'POST',
      url: '/v1/hosts',
      payload: { siteId: site.siteId, hostname: 'dc01', platform: 'windows', role: 'domain_controller' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const server = created.json() as { id: string };
    const next = createChainWriter(registered.applianceId, identity.pkcs8, {
      hostId: RECEPTION,
      hostname: 'reception-pc',
      checkOf: (seq) => CHECKS[(seq - 1) % 3] ?? CHECKS[0] ?? '',
      statusOf: (seq) => (seq === 1 ? 'fail' : 'pass'),
      fieldsOf: (seq) => (seq === 4 ? { hostId: server.id, hostname: 'dc01' } : {}),
    });
    const up = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/evidence',
      headers: { authorization: `Bearer ${token}` },
      payload: { schemaVersion: 1, bundles: await next(4) },
    });
    expect(up.statusCode, up.body).toBe(200);
  });
  afterAll(() => web?.close());

  it('lists the agents with their results and lets a technician change the tier', async () => {
    const page = await web.as({ role: 'technician', partnerId: site.partnerId });
    await page.goto(`/partner/sites/${site.siteId}`);
    const section = page.getByTestId('site-workstations');
    await expect.poll(() => section.getByTestId('agent-tier').textContent()).toBe('Monitor only');
    const reception = row(page, 'workstations', 'reception-pc');
    await expect.poll(() => reception.textContent()).toContain('2 / 1 / 0');
    expect(await reception.textContent()).toContain('Windows 11 Pro 23H2');
    expect(await reception.locator('td').last().textContent()).toBe('3');
    expect(await row(page, 'workstations', 'doctor-mac').textContent()).toContain('0 / 0 / 0');
    await expect.poll(() => row(page, 'windows-servers', 'dc01').textContent()).toContain('domain controller');
    expect(await row(page, 'windows-servers', 'dc01').textContent()).toContain('windows.workstation.bitlocker');

    await page.getByTestId('agent-tier-select').selectOption('self_heal');
    await page.getByTestId('agent-tier-save').click();
    await expect.poll(() => section.getByTestId('agent-tier').textContent()).toBe('Self-heal');
    const saved = await web.central.t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/checkin',
      headers: { authorization: `Bearer ${token}` },
      payload: checkinRequest({ sentAt: web.central.t.clock.now().toISOString() }),
    });
    const orders = (saved.json() as { orders: { order: { type: string; payload: { tier?: string } } }[] }).orders;
    expect(orders.filter((o) => o.order.type === 'set_agent_tier').map((o) => o.order.payload.tier)).toEqual([
      'self_heal',
    ]);
  });

  it('shows the tier without a selector to a read-only platform user', async () => {
    const admin = await web.asStaff('readonly');
    await admin.goto(`/admin/sites/${site.siteId}`);
    await expect
      .poll(() => admin.getByTestId('site-workstations').getByTestId('agent-tier').textContent())
      .toBe('Self-heal');
    expect(await admin.getByTestId('agent-tier-select').count()).toBe(0);
    expect(await row(admin, 'workstations', 'doctor-mac').count()).toBe(1);
  });
});
