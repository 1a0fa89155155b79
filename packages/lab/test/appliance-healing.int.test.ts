import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  LINUX_CHECK_IMPLEMENTATIONS,
  parseConfig,
  type RunningAppliance,
  startAppliance,
  startLlmStandin,
} from '@osiris/appliance';
import { type CentralServer, startCentralServer } from '@osiris/central/testing';
import type { Escalation } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { DRIFTS_GROUP_B } from '../src/drifts/group-b';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';
import { labApplianceConfig } from '../src/scenarios/lab-appliance';

/** Healable by the standard pack, and breakable inside a lab host. */
const HEALED = ['linux.files.shadow-permissions', 'linux.sysctl.accept-redirects', 'linux.kernel.core-dumps'];
/** No L1 rule exists for it: it must reach central as an L3 escalation. */
const ESCALATED = 'linux.accounts.uid0-only-root';
/** Has a runbook, but the standard pack has no rule for it (SSH reloads): L2 must pick the runbook. */
const VIA_L2 = 'linux.ssh.x11-forwarding';
const RECIPES = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B].filter((d) => [...HEALED, ESCALATED].includes(d.checkId));
const L2_RECIPE = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B].find((d) => d.checkId === VIA_L2);

/**
 * Healing end to end on a real lab host: drifts are detected, L1 runs the runbooks over SSH, the
 * checks pass again and their incidents close; a drift with no safe fix is escalated to central.
 */
describe('appliance healing on a lab host', () => {
  const lab = createLab();
  let host: LabHost;
  let central: CentralServer;
  let appliance: RunningAppliance | null = null;
  let dir: string;
  let siteId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'osiris-healing-'));
    host = await lab.createHost();
    for (const recipe of RECIPES) {
      for (const script of [recipe.harden, recipe.drift]) {
        if (!script) continue;
        const result = await host.exec('sh -s', { input: script, timeoutMs: 30_000 });
        expect(result.exitCode, `${recipe.checkId}: ${result.stderr}`).toBe(0);
      }
    }
    central = await startCentralServer('pglite');
    siteId = (await central.createSite('healing-site')).siteId;
  }, 120_000);
  afterAll(async () => {
    await appliance?.stop();
    await central?.close();
    await host?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('heals what L1 may fix, verifies it, closes the incidents, and escalates the rest', async () => {
    expect(RECIPES).toHaveLength(HEALED.length + 1);
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode: await central.provisionCode(siteId),
      hosts: [host],
      extra: { healing: { tier: 'full', pack: 'standard' } },
    });
    appliance = await startAppliance({
      config: parseConfig(JSON.stringify(config), {}),
      checks: LINUX_CHECK_IMPLEMENTATIONS.filter((c) => [...HEALED, ESCALATED].includes(c.id)),
      log: createLogger('silent'),
    });
    await appliance.scheduler.runCycle();
    // The fixes asked for a re-run of their checks; wait until those results are in.
    const running = appliance;
    const deadline = Date.now() + 90_000;
    const statusOf = (checkId: string) => running.status().results.find((r) => r.checkId === checkId)?.status;
    while (HEALED.some((id) => statusOf(id) !== 'pass') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    for (const id of HEALED) expect(statusOf(id), id).toBe('pass');
    expect(statusOf(ESCALATED)).toBe('fail');
    expect(appliance.status().healing.openIncidents).toBe(1);

    // And on the host itself, independently of the appliance's checks:
    const shadowMode = Number.parseInt((await host.exec("stat -c '%a' /etc/shadow")).stdout.trim(), 8);
    expect(shadowMode & 0o077).toBe(shadowMode & 0o040); // at most group-readable, never by others
    expect((await host.exec('sysctl -n net.ipv4.conf.all.accept_redirects')).stdout.trim()).toBe('0');

    const escalations = await (async () => {
      for (let i = 0; i < 100; i++) {
        const page = await central.call<{ items: Escalation[] }>('GET', `/v1/escalations?siteId=${siteId}`);
        if (page.items.length > 0) return page.items;
        await new Promise((r) => setTimeout(r, 200));
      }
      return [];
    })();
    expect(escalations.map((e) => e.checkId)).toEqual([ESCALATED]);

    // Every healing attempt is signed, chained evidence on central, and the chain verifies.
    const deadlineUpload = Date.now() + 30_000;
    while (running.status().queues.evidenceOutbox > 0 && Date.now() < deadlineUpload)
      await new Promise((r) => setTimeout(r, 200));
    const evidence = await central.evidence(running.applianceId);
    const healing = evidence.map((e) => e.signed.bundle).filter((b) => b.kind === 'healing');
    expect(healing.map((b) => [b.checkId, b.status]).sort()).toEqual(HEALED.map((id) => [id, 'pass']).sort());
    for (const bundle of healing) {
      expect(bundle.observed).toMatchObject({ tier: 'L1', runbookId: `rb-${bundle.checkId}`, outcome: 'success' });
      expect((bundle.observed.phases as { name: string }[]).map((p) => p.name)).toContain('remediate');
    }
    expect((await central.verifyChain(running.applianceId)).ok).toBe(true);
    const latest = await central.siteResults(siteId);
    for (const id of HEALED) expect(latest.find((r) => r.checkId === id)?.status).toBe('pass');
    expect(escalations[0]).toMatchObject({ hostname: host.info.name, state: 'open', priority: 'P1' });
  }, 180_000);

  it('lets the L2 planner (a stand-in speaking the OpenAI wire format) fix what no L1 rule covers', async () => {
    await appliance?.stop();
    appliance = null;
    for (const script of [L2_RECIPE?.harden, L2_RECIPE?.drift]) {
      if (!script) continue;
      expect((await host.exec('sh -s', { input: script, timeoutMs: 30_000 })).exitCode).toBe(0);
    }
    const llm = await startLlmStandin({ apiKey: 'test-key-not-secret' });
    llm.enqueue({
      kind: 'answer',
      answer: {
        runbookId: `rb-${VIA_L2}`,
        params: {},
        confidence: 0.92,
        reasoning: 'X11Forwarding is yes; the runbook sets it to no.',
      },
    });
    try {
      const config = labApplianceConfig({
        centralUrl: central.url,
        dataDir: join(dir, 'data-l2'),
        provisionCode: await central.provisionCode(siteId),
        hosts: [host],
        extra: {
          healing: {
            tier: 'l1_l2',
            pack: 'standard',
            llm: { kind: 'openai', baseUrl: llm.urls.openai, model: 'stand-in', apiKey: 'test-key-not-secret' },
          },
        },
      });
      appliance = await startAppliance({
        config: parseConfig(JSON.stringify(config), {}),
        checks: LINUX_CHECK_IMPLEMENTATIONS.filter((c) => c.id === VIA_L2),
        log: createLogger('silent'),
      });
      await appliance.scheduler.runCycle();
      const running = appliance;
      const deadline = Date.now() + 60_000;
      const status = () => running.status().results.find((r) => r.checkId === VIA_L2)?.status;
      while (status() !== 'pass' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(status()).toBe('pass');
      expect(llm.requests).toHaveLength(1);
      const sent = llm.requests[0];
      expect(sent?.headers.authorization).toBe('Bearer test-key-not-secret');
      expect(sent?.prompt).toContain(VIA_L2);
      expect(JSON.stringify(sent?.body)).toContain(`rb-${VIA_L2}`);
    } finally {
      await llm.close();
    }
  }, 180_000);

  it('asks people to approve a low-confidence L2 fix, and runs it once a person approved it on central', async () => {
    await appliance?.stop();
    appliance = null;
    for (const script of [L2_RECIPE?.harden, L2_RECIPE?.drift]) {
      if (!script) continue;
      expect((await host.exec('sh -s', { input: script, timeoutMs: 30_000 })).exitCode).toBe(0);
    }
    const llm = await startLlmStandin({ apiKey: 'test-key-not-secret' });
    llm.enqueue({
      kind: 'answer',
      answer: { runbookId: `rb-${VIA_L2}`, params: {}, confidence: 0.4, reasoning: 'Probably X11Forwarding.' },
    });
    try {
      const approvalSite = (await central.createSite('approval-site')).siteId;
      const config = labApplianceConfig({
        centralUrl: central.url,
        dataDir: join(dir, 'data-approval'),
        provisionCode: await central.provisionCode(approvalSite),
        hosts: [host],
        extra: {
          checkinIntervalSeconds: 1,
          healing: {
            tier: 'l1_l2',
            pack: 'standard',
            llm: { kind: 'openai', baseUrl: llm.urls.openai, model: 'stand-in', apiKey: 'test-key-not-secret' },
          },
        },
      });
      appliance = await startAppliance({
        config: parseConfig(JSON.stringify(config), {}),
        checks: LINUX_CHECK_IMPLEMENTATIONS.filter((c) => c.id === VIA_L2),
        log: createLogger('silent'),
      });
      const running = appliance;
      await running.scheduler.runCycle();
      const request = await (async () => {
        for (let i = 0; i < 150; i++) {
          const page = await central.call<{ items: Escalation[] }>('GET', `/v1/escalations?siteId=${approvalSite}`);
          if (page.items[0]) return page.items[0];
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('no approval request reached central');
      })();
      expect(request.proposal).toMatchObject({ runbookId: `rb-${VIA_L2}`, confidence: 0.4, why: 'low_confidence' });
      // Nothing ran, and another failing run does not ask the LLM again while people decide.
      await running.scheduler.runCycle();
      expect(llm.requests).toHaveLength(1);
      expect((await host.exec("sshd -T | grep -i '^x11forwarding'")).stdout.trim().toLowerCase()).toBe(
        'x11forwarding yes',
      );

      const approved = await central.call<Escalation>('POST', `/v1/escalations/${request.id}/approve`, {
        note: 'X11 is not used on this server.',
      });
      expect(approved.approval?.orderId).toBeTruthy();
      const deadline = Date.now() + 60_000;
      const status = () => running.status().results.find((r) => r.checkId === VIA_L2)?.status;
      while (status() !== 'pass' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(status()).toBe('pass');
      const orders = await central.orders(running.applianceId);
      expect(orders.find((o) => o.id === approved.approval?.orderId)?.state).toBe('succeeded');
      while (running.status().queues.evidenceOutbox > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const healing = (await central.evidence(running.applianceId))
        .map((e) => e.signed.bundle)
        .filter((b) => b.kind === 'healing');
      expect(healing.map((b) => b.observed)).toEqual([
        expect.objectContaining({ tier: 'L2', runbookId: `rb-${VIA_L2}`, outcome: 'success', approvedIn: request.id }),
      ]);
      expect(llm.requests).toHaveLength(1);
    } finally {
      await llm.close();
    }
  }, 180_000);
});
