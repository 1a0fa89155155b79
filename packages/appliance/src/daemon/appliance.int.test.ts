import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer, waitUntil } from '@osiris/central/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINUX_CHECK_IMPLEMENTATIONS } from '../checks/linux';
import { parseConfig } from '../config';
import { createLogger } from '../log';
import { type RunningAppliance, startAppliance } from './appliance';

/** Fast, read-only checks of this machine (sysctl reads), so cycles take well under a second. */
const FAST_CHECK_IDS = ['linux.sysctl.ip-forward', 'linux.kernel.aslr', 'linux.sysctl.tcp-syncookies'];
const checks = LINUX_CHECK_IMPLEMENTATIONS.filter((c) => FAST_CHECK_IDS.includes(c.id));

/**
 * The daemon end to end against a real central (PGlite) on loopback: registration from the config's
 * code, scheduled checks of this machine through the local target, signed chained evidence uploaded
 * through the outbox, check-in, orders applied or refused, the status page, and an outage of central.
 */
describe('appliance daemon against a real central', () => {
  let central: CentralServer;
  let siteId: string;
  const dirs: string[] = [];
  const running: RunningAppliance[] = [];
  /** Network switch between the appliance and central, and a hook to alter check-in replies in transit. */
  const link = { down: false, alterCheckinReply: null as ((body: Record<string, unknown>) => void) | null };
  const linkFetch: typeof fetch = async (input, init) => {
    if (link.down) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const response = await fetch(input, init);
    if (!String(input).endsWith('/v1/appliance/checkin') || !link.alterCheckinReply || !response.ok) return response;
    const body = (await response.json()) as Record<string, unknown>;
    link.alterCheckinReply(body);
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };

  let lastYaml = '';
  async function start(checkinIntervalSeconds = 10) {
    const dir = mkdtempSync(join(tmpdir(), 'osiris-daemon-'));
    dirs.push(dir);
    const code = await central.provisionCode(siteId);
    const yaml = [
      `centralUrl: ${central.url}`,
      `dataDir: ${join(dir, 'data')}`,
      'hostname: daemon-test',
      `provisionCode: ${code}`,
      `checkinIntervalSeconds: ${checkinIntervalSeconds}`,
      'targets:\n  - name: this-machine\n    kind: local',
      'checks:\n  defaultIntervalSeconds: 1\n  jitter: 0',
      'sync:\n  backoffInitialSeconds: 0.05\n  backoffMaxSeconds: 0.5\n  coalesceMs: 100',
      'statusPage:\n  port: 0',
    ].join('\n');
    writeFileSync(join(dir, 'appliance.yaml'), yaml);
    lastYaml = yaml;
    const appliance = await startAppliance({
      config: parseConfig(yaml, {}),
      checks,
      fetchImpl: linkFetch,
      log: createLogger('silent'),
    });
    running.push(appliance);
    return appliance;
  }

  beforeAll(async () => {
    central = await startCentralServer('pglite');
    siteId = (await central.createSite('daemon-site')).siteId;
  });
  afterAll(async () => {
    for (const appliance of running) await appliance.stop();
    await central?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every selected check on schedule and central holds the verified chain', async () => {
    expect(checks.map((c) => c.id).sort()).toEqual([...FAST_CHECK_IDS].sort());
    const appliance = await start();
    const results = await waitUntil('results for every check', async () => {
      const items = await central.siteResults(siteId);
      return items.filter((r) => r.applianceId === appliance.applianceId).length === checks.length && items;
    });
    for (const result of results) expect(['pass', 'fail']).toContain(result.status);
    await waitUntil('an empty outbox', async () => appliance.status().queues.evidenceOutbox === 0);
    const report = await central.verifyChain(appliance.applianceId);
    expect(report.ok).toBe(true);
    const evidence = await central.evidence(appliance.applianceId);
    expect(evidence.map((e) => e.seq)).toEqual(evidence.map((_, i) => i + 1));
    const bundle = evidence[0]?.signed.bundle;
    expect(bundle?.controls.some((c) => c.startsWith('HIPAA-164.'))).toBe(true);
    expect(bundle?.hostname).toBe('this-machine');
    expect(typeof bundle?.observed.reason).toBe('string');

    const page = await fetch(appliance.statusUrl ?? '');
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain(appliance.applianceId);
    expect(html).toContain('linux.kernel.aslr');
    const json = (await (await fetch(`${appliance.statusUrl}status.json`)).json()) as { siteId: string };
    expect(json.siteId).toBe(siteId);
    expect((await fetch(appliance.statusUrl ?? '', { method: 'POST' })).status).toBe(405);
    await appliance.stop();
  });

  it('keeps checking while central is unreachable and catches up in order afterwards', async () => {
    const appliance = await start();
    await waitUntil('a first upload', async () => appliance.status().sync.lastUploadAt !== null);
    link.down = true;
    const headBefore = appliance.status().queues.chainHeadSeq;
    await waitUntil('bundles queued during the outage', async () => appliance.status().queues.evidenceOutbox >= 15);
    const during = appliance.status();
    expect(during.sync.uploadFailures).toBeGreaterThan(0);
    expect(during.queues.chainHeadSeq).toBeGreaterThan(headBefore);
    link.down = false;
    await waitUntil('the outbox to drain', async () => appliance.status().queues.evidenceOutbox === 0, 60_000);
    const head = appliance.status().queues.chainHeadSeq;
    await appliance.stop();
    const evidence = await central.evidence(appliance.applianceId);
    expect(evidence.length).toBeGreaterThanOrEqual(head);
    expect(evidence.map((e) => e.seq)).toEqual(evidence.map((_, i) => i + 1));
    expect((await central.verifyChain(appliance.applianceId)).ok).toBe(true);
  });

  it('applies signed orders, reports the results, and refuses an order altered in transit', async () => {
    const appliance = await start(1);
    const { applianceId } = appliance;
    await waitUntil('a first check-in', async () => appliance.status().sync.lastCheckinAt !== null);

    // Only aslr stays enabled, once an hour; then run-now must produce exactly that check again.
    await central.issueOrder(applianceId, {
      type: 'set_schedule',
      payload: {
        defaultIntervalSeconds: 3600,
        checks: checks.map((c) => ({ checkId: c.id, intervalSeconds: 3600, isEnabled: c.id === 'linux.kernel.aslr' })),
      },
    });
    // The altered copy of the next order (payload changed after signing) must be refused, not applied.
    link.alterCheckinReply = (body) => {
      const orders = body.orders as { order: { type: string; payload: Record<string, unknown> } }[];
      for (const o of orders) if (o.order.type === 'run_checks_now') o.order.payload = { hostIds: [applianceId] };
    };
    const tampered = await central.issueOrder(applianceId, { type: 'run_checks_now', payload: {} });
    await waitUntil('both orders answered', async () => {
      const list = await central.orders(applianceId);
      return list.every((o) => ['succeeded', 'refused', 'failed'].includes(o.state)) && list;
    });
    link.alterCheckinReply = null;
    const answered = await central.orders(applianceId);
    expect(answered.find((o) => o.type === 'set_schedule')?.state).toBe('succeeded');
    const refused = answered.find((o) => o.id === tampered.id);
    expect(refused?.state).toBe('refused');
    expect(refused?.result?.code).toBe('BAD_SIGNATURE');
    // A disabled check's job goes once a run it had in flight when the schedule changed ends.
    await waitUntil('only the aslr job left', async () => appliance.scheduler.status().jobs === 1);

    const before = appliance.status().queues.chainHeadSeq;
    await central.issueOrder(applianceId, { type: 'run_checks_now', payload: { checkIds: ['linux.kernel.aslr'] } });
    await central.issueOrder(applianceId, { type: 'rotate_token', payload: { reason: 'test' } });
    await waitUntil('run-now and rotation answered', async () => {
      const list = await central.orders(applianceId);
      return list.filter((o) => o.state === 'succeeded').length === 3 && list;
    });
    await waitUntil('the run-now bundle', async () => appliance.status().queues.chainHeadSeq > before);
    // After rotation the appliance keeps working with its new token.
    const stamp = appliance.status().sync.lastCheckinAt;
    await central.issueOrder(applianceId, { type: 'run_checks_now', payload: {} });
    await waitUntil('a check-in with the new token', async () => {
      const s = appliance.status().sync;
      return s.lastCheckinAt !== stamp && s.lastCheckinError === null;
    });
    const audit = await central.call<{ items: { action: string }[] }>('GET', '/v1/admin/audit?limit=100');
    expect(audit.items.map((e) => e.action)).toContain('appliance.token_rotated');
  });

  it('takes its healing policy and extra L1 rules from signed orders, keeps them across a restart, and refuses bad ones', async () => {
    const appliance = await start(1);
    const { applianceId } = appliance;
    expect(appliance.status().healing).toMatchObject({ tier: 'monitor_only', dryRun: false });
    const policy = {
      tier: 'l1',
      dryRun: true,
      maintenanceWindows: [{ days: ['sat'], start: '22:00', end: '04:00', timeZone: 'America/Chicago' }],
      rateLimits: { globalPerHour: 5, perHostPerHour: 2 },
    };
    const rule = {
      id: 'CUSTOM-ASLR',
      name: 'Restore ASLR',
      conditions: [{ field: 'checkId', operator: 'eq', value: 'linux.kernel.aslr' }],
      action: 'rb-linux.kernel.aslr',
      source: 'custom',
    };
    const policyOrder = await central.issueOrder(applianceId, { type: 'set_healing_policy', payload: policy } as never);
    const rulesOrder = await central.issueOrder(applianceId, {
      type: 'update_rules',
      payload: { rules: [rule] },
    } as never);
    // A rule whose id clashes with the built-in pack passes central's schema but not the appliance's rule set.
    const clash = await central.issueOrder(applianceId, {
      type: 'update_rules',
      payload: { rules: [{ ...rule, id: 'L1-linux.files.shadow-permissions' }] },
    } as never);
    await waitUntil('the three orders answered', async () => {
      const list = await central.orders(applianceId);
      const states = [policyOrder, rulesOrder, clash].map((o) => list.find((x) => x.id === o.id)?.state);
      return states.every((state) => state === 'succeeded' || state === 'failed') && list;
    });
    const answered = new Map((await central.orders(applianceId)).map((o) => [o.id, o]));
    expect(answered.get(policyOrder.id)?.state).toBe('succeeded');
    expect(answered.get(rulesOrder.id)?.state).toBe('succeeded');
    expect(answered.get(clash.id)).toMatchObject({ state: 'failed', result: { code: 'INVALID_RULES' } });
    expect(appliance.status().healing).toMatchObject({ tier: 'l1', dryRun: true });

    // Central refuses an unsafe pattern before signing anything.
    const bad = await central.admin.request({
      method: 'POST',
      url: `/v1/appliances/${applianceId}/orders`,
      payload: {
        type: 'update_rules',
        payload: { rules: [{ ...rule, conditions: [{ field: 'reason', operator: 'regex', value: '(a+)+$' }] }] },
      },
    });
    expect(bad.statusCode).toBe(400);

    await appliance.stop();
    const again = await startAppliance({
      config: parseConfig(lastYaml, {}),
      checks,
      fetchImpl: linkFetch,
      log: createLogger('silent'),
    });
    running.push(again);
    expect(again.status().healing).toMatchObject({ tier: 'l1', dryRun: true });
  });
});
