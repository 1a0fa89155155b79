import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  LINUX_CHECK_IMPLEMENTATIONS,
  parseConfig,
  type RunningAppliance,
  startAppliance,
} from '@osiris/appliance';
import { type CentralServer, startCentralServer, waitUntil } from '@osiris/central/testing';
import type { ComplianceException } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { DRIFTS_GROUP_B } from '../src/drifts/group-b';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';
import { labApplianceConfig } from '../src/scenarios/lab-appliance';

/** Healed by the standard L1 pack, and breakable inside a lab host. */
const CHECK = 'linux.files.shadow-permissions';
const RECIPE = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B].find((d) => d.checkId === CHECK);
/** Long enough to detect and not heal the attack on the excepted host, short enough to wait for. */
const EXCEPTION_SECONDS = 45;

/**
 * Issue 7 acceptance: an exception on one check of one lab host. The attack on that check is
 * detected on both hosts; the excepted host reports `excepted` and is not healed while the other
 * host is healed; once the exception expires the excepted host is healed on the next cycle.
 */
describe('a compliance exception on a lab host', () => {
  const lab = createLab();
  let excepted: LabHost;
  let other: LabHost;
  let central: CentralServer;
  let appliance: RunningAppliance | null = null;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'osiris-exceptions-'));
    [excepted, other] = await Promise.all([lab.createHost(), lab.createHost()]);
    central = await startCentralServer('pglite');
  }, 120_000);
  afterAll(async () => {
    await appliance?.stop();
    await central?.close();
    await Promise.all([excepted?.destroy(), other?.destroy()]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const run = (host: LabHost, script: string | undefined) =>
    script ? host.exec('sh -s', { input: script, timeoutMs: 30_000 }) : Promise.resolve({ exitCode: 0, stderr: '' });

  it('reports the attack on the excepted host as excepted and leaves it alone until the exception expires', async () => {
    expect(RECIPE?.drift).toBeTruthy();
    for (const host of [excepted, other]) expect((await run(host, RECIPE?.harden)).exitCode).toBe(0);
    const { siteId } = await central.createSite('exception-site');
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode: await central.provisionCode(siteId),
      hosts: [excepted, other],
      extra: { checkinIntervalSeconds: 1, healing: { tier: 'l1', pack: 'standard' } },
    });
    appliance = await startAppliance({
      config: parseConfig(JSON.stringify(config), {}),
      checks: LINUX_CHECK_IMPLEMENTATIONS.filter((c) => c.id === CHECK),
      log: createLogger('silent'),
    });
    const running = appliance;
    const resultOf = (host: LabHost) =>
      running.status().results.find((r) => r.checkId === CHECK && r.hostname === host.info.name);
    const hostIdOf = (host: LabHost) => running.status().targets.find((t) => t.hostname === host.info.name)?.hostId;

    // A first clean cycle tells central which hosts the site has.
    await running.scheduler.runCycle();
    await waitUntil('both hosts to pass and reach central', async () => {
      const results = await central.siteResults(siteId);
      return results.filter((r) => r.checkId === CHECK && r.status === 'pass').length === 2 ? true : undefined;
    });

    const exceptedHostId = hostIdOf(excepted);
    const asked = await central.call<ComplianceException>('POST', `/v1/sites/${siteId}/exceptions`, {
      hostId: exceptedHostId,
      scope: { kind: 'check', checkId: CHECK },
      reason: 'Lab: the backup agent needs read access to /etc/shadow until it is replaced.',
      expiresAt: new Date(Date.now() + EXCEPTION_SECONDS * 1000).toISOString(),
    });
    await central.call('POST', `/v1/exceptions/${asked.id}/approve`, {});
    await waitUntil('the set_exceptions order to be applied', async () => {
      const orders = await central.orders(running.applianceId);
      return orders.find((o) => o.type === 'set_exceptions' && o.state === 'succeeded');
    });

    // The attack, on both hosts.
    for (const host of [excepted, other]) expect((await run(host, RECIPE?.drift)).exitCode).toBe(0);
    await running.scheduler.runCycle();
    await waitUntil('the other host to be healed', () => (resultOf(other)?.status === 'pass' ? true : undefined));
    expect(resultOf(excepted)?.status).toBe('excepted');
    expect(Date.now()).toBeLessThan(Date.parse(asked.expiresAt)); // the verdict came while the exception held

    // Detected but not healed: the drift is still there, and no healing evidence names the host.
    await waitUntil('the evidence upload', () => (running.status().queues.evidenceOutbox === 0 ? true : undefined));
    const bundles = (await central.evidence(running.applianceId)).map((e) => e.signed.bundle);
    const exceptedRun = bundles.find((b) => b.hostId === exceptedHostId && b.status === 'excepted');
    expect(exceptedRun?.observed).toMatchObject({ exception: { id: asked.id, verdict: 'fail' } });
    const healedHosts = bundles.filter((b) => b.kind === 'healing').map((b) => b.hostId);
    expect(healedHosts).toContain(hostIdOf(other));
    expect(healedHosts).not.toContain(exceptedHostId);
    expect((await excepted.exec('stat -c %a /etc/shadow')).stdout.trim()).toBe('644');
    expect((await other.exec('stat -c %a /etc/shadow')).stdout.trim()).not.toBe('644');
    const latest = await central.siteResults(siteId);
    expect(latest.find((r) => r.hostId === exceptedHostId && r.checkId === CHECK)?.status).toBe('excepted');

    // After expiry: the next cycle finds the drift and L1 heals it.
    await waitUntil(
      'the exception to expire',
      () => (Date.now() > Date.parse(asked.expiresAt) + 500 ? true : undefined),
      60_000,
    );
    await running.scheduler.runCycle();
    await waitUntil('the excepted host to be healed after expiry', () =>
      resultOf(excepted)?.status === 'pass' ? true : undefined,
    );
    await waitUntil('the evidence upload', () => (running.status().queues.evidenceOutbox === 0 ? true : undefined));
    const after = (await central.evidence(running.applianceId)).map((e) => e.signed.bundle);
    expect(
      after.filter((b) => b.kind === 'healing' && b.hostId === exceptedHostId && b.status === 'pass'),
    ).toHaveLength(1);
    expect((await central.verifyChain(running.applianceId)).ok).toBe(true);

    // Central's expiry job records the end too.
    await central.t.services.exceptions.expireDue();
    const ended = await central.call<ComplianceException>('GET', `/v1/exceptions/${asked.id}`);
    expect(ended).toMatchObject({ state: 'expired', isActive: false });
  }, 240_000);
});
