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
import { type CentralServer, startCentralServer, waitUntil } from '@osiris/central/testing';
import type { LearningCandidate } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { DRIFTS_GROUP_B } from '../src/drifts/group-b';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';
import { labApplianceConfig } from '../src/scenarios/lab-appliance';

/** Has a runbook, but the standard pack has no rule for it (sshd reloads): only L2 or a learned rule fixes it. */
const CHECK = 'linux.ssh.x11-forwarding';
const RUNBOOK = `rb-${CHECK}`;
const RECIPE = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B].find((d) => d.checkId === CHECK);
const L2_FIXES = 5;

/**
 * The learning loop end to end (issue 4 acceptance): an attack no L1 rule covers is fixed by L2
 * (the stand-in LLM) five times, becomes a candidate on central, is approved through the API,
 * reaches the appliance as a signed `update_rules` order, and its sixth occurrence is fixed by L1.
 */
describe('learning loop on a lab host', () => {
  const lab = createLab();
  let host: LabHost;
  let central: CentralServer;
  let appliance: RunningAppliance | null = null;
  let llm: Awaited<ReturnType<typeof startLlmStandin>> | null = null;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'osiris-learning-'));
    host = await lab.createHost();
    central = await startCentralServer('pglite');
  }, 120_000);
  afterAll(async () => {
    await appliance?.stop();
    await llm?.close();
    await central?.close();
    await host?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function attackAndHeal(running: RunningAppliance): Promise<void> {
    for (const script of [RECIPE?.harden, RECIPE?.drift]) {
      if (!script) continue;
      expect((await host.exec('sh -s', { input: script, timeoutMs: 30_000 })).exitCode).toBe(0);
    }
    await running.scheduler.runCycle();
    const status = () => running.status().results.find((r) => r.checkId === CHECK)?.status;
    await waitUntil(`${CHECK} to pass again`, () => (status() === 'pass' ? true : undefined));
    expect((await host.exec("sshd -T | grep -i '^x11forwarding'")).stdout.trim().toLowerCase()).toBe(
      'x11forwarding no',
    );
  }

  it('promotes a fix L2 made five times to an L1 rule that heals the sixth occurrence', async () => {
    expect(RECIPE?.drift).toBeTruthy();
    const siteId = (await central.createSite('learning-site')).siteId;
    llm = await startLlmStandin({ apiKey: 'test-key-not-secret' });
    for (let i = 0; i < L2_FIXES; i++)
      llm.enqueue({
        kind: 'answer',
        answer: { runbookId: RUNBOOK, params: {}, confidence: 0.95, reasoning: 'X11Forwarding is yes; set it to no.' },
      });
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode: await central.provisionCode(siteId),
      hosts: [host],
      extra: {
        checkinIntervalSeconds: 1,
        sync: { coalesceMs: 100, patternsIntervalSeconds: 0.5 },
        healing: {
          tier: 'l1_l2',
          pack: 'standard',
          llm: { kind: 'openai', baseUrl: llm.urls.openai, model: 'stand-in', apiKey: 'test-key-not-secret' },
          llmBudget: { requestsPerMinute: 30 },
        },
      },
    });
    appliance = await startAppliance({
      config: parseConfig(JSON.stringify(config), {}),
      checks: LINUX_CHECK_IMPLEMENTATIONS.filter((c) => c.id === CHECK),
      log: createLogger('silent'),
    });
    const running = appliance;

    for (let round = 1; round <= L2_FIXES; round++) {
      await attackAndHeal(running);
      expect(llm.requests, `round ${round}`).toHaveLength(round);
      if (round < L2_FIXES) {
        // Not yet: fewer than five fixes make no candidate.
        await new Promise((r) => setTimeout(r, 1_000));
        const early = await central.call<{ items: LearningCandidate[] }>('GET', '/v1/learning/candidates');
        expect(early.items).toEqual([]);
      }
    }

    const candidate = await waitUntil('the candidate on central', async () => {
      const { items } = await central.call<{ items: LearningCandidate[] }>('GET', '/v1/learning/candidates');
      return items.find((c) => c.checkId === CHECK);
    });
    expect(candidate).toMatchObject({ runbookId: RUNBOOK, l2Successes: L2_FIXES, successRate: 1, applianceCount: 1 });

    const approval = await central.call<{ candidate: LearningCandidate; ordersIssued: number }>(
      'POST',
      `/v1/learning/candidates/${candidate.id}/approve`,
      { note: 'Fixed five times by L2 in the lab.' },
    );
    expect(approval.ordersIssued).toBe(1);
    const ruleId = approval.candidate.rule?.id;
    expect(ruleId).toMatch(/^promoted:/);
    await waitUntil('the update_rules order to be applied', async () => {
      const orders = await central.orders(running.applianceId);
      return orders.find((o) => o.type === 'update_rules' && o.state === 'succeeded');
    });

    await attackAndHeal(running);
    expect(llm.requests).toHaveLength(L2_FIXES); // the LLM was not asked again

    // The sixth fix is on record as L1 with the promoted rule, in verified evidence on central.
    await waitUntil('the evidence upload', () => (running.status().queues.evidenceOutbox === 0 ? true : undefined));
    const healing = (await central.evidence(running.applianceId))
      .map((e) => e.signed.bundle)
      .filter((b) => b.kind === 'healing');
    expect(healing.map((b) => b.observed.tier)).toEqual([...Array(L2_FIXES).fill('L2'), 'L1']);
    expect(healing.at(-1)?.observed).toMatchObject({ ruleId, runbookId: RUNBOOK, outcome: 'success' });
    expect((await central.verifyChain(running.applianceId)).ok).toBe(true);
  }, 300_000);
});
