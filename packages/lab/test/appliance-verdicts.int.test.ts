import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, parseConfig, type RunningAppliance, startAppliance } from '@osiris/appliance';
import { type CentralServer, startCentralServer, testBackends } from '@osiris/central/testing';
import { LINUX_CHECKS } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { DRIFTS_GROUP_B } from '../src/drifts/group-b';
import type { LabDrift } from '../src/drifts/types';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';
import { labApplianceConfig } from '../src/scenarios/lab-appliance';

const ALL_DRIFTS = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B];

async function runAll(host: LabHost, scripts: readonly (string | undefined)[], what: string): Promise<void> {
  for (const script of scripts) {
    if (!script) continue;
    const result = await host.exec('sh -s', { input: script, timeoutMs: 60_000 });
    if (result.exitCode !== 0)
      throw new Error(`${what} on ${host.info.name} failed (${result.exitCode}): ${result.stderr}\n${script}`);
  }
}

/**
 * Acceptance: three real lab hosts — one hardened, one with every drift of group A, one with every
 * drift of group B. One appliance checks all three over SSH; its verdict for every catalog check on
 * every host must equal the expected one, central (PostgreSQL in CI) must accept all evidence, and
 * the chain must verify.
 */
describe.each([testBackends.at(-1) ?? 'pglite'])('appliance verdicts on 3 lab hosts (central on %s)', (backend) => {
  const lab = createLab();
  const hosts: LabHost[] = [];
  let central: CentralServer;
  let appliance: RunningAppliance | null = null;
  let dir: string;
  let siteId: string;

  /** What each host was made into, and so what every check must say there. */
  const roles: { name: string; drifted: readonly LabDrift[] }[] = [
    { name: 'hardened', drifted: [] },
    { name: 'group-a-drifted', drifted: DRIFTS_GROUP_A.filter((d) => d.drift) },
    { name: 'group-b-drifted', drifted: DRIFTS_GROUP_B.filter((d) => d.drift) },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'osiris-verdicts-'));
    for (const role of roles) {
      const host = await lab.createHost();
      hosts.push(host);
      await runAll(
        host,
        ALL_DRIFTS.map((d) => d.harden),
        'harden',
      );
      await runAll(
        host,
        role.drifted.map((d) => d.drift),
        'drift',
      );
    }
    central = await startCentralServer(backend);
    siteId = (await central.createSite('verdict-site')).siteId;
  }, 300_000);

  afterAll(async () => {
    await appliance?.stop();
    await central?.close();
    for (const host of hosts) await host.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('has a lab recipe with a declared baseline for every catalog check', () => {
    expect(ALL_DRIFTS.map((d) => d.checkId).sort()).toEqual(LINUX_CHECKS.map((c) => c.id).sort());
  });

  it('gives the expected verdict for every check on every host, and central accepts the verified chain', async () => {
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode: await central.provisionCode(siteId),
      hosts,
    });
    appliance = await startAppliance({ config: parseConfig(JSON.stringify(config), {}), log: createLogger('warn') });
    await appliance.scheduler.runCycle();
    const deadline = Date.now() + 60_000;
    while (appliance.status().queues.evidenceOutbox > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(appliance.status().queues.evidenceOutbox).toBe(0);

    const results = await central.siteResults(siteId);
    const actual = new Map(results.map((r) => [`${r.hostname} ${r.checkId}`, r.status]));
    const mismatches: string[] = [];
    roles.forEach((role, index) => {
      const hostname = hosts[index]?.info.name ?? '';
      const drifted = new Set(role.drifted.map((d) => d.checkId));
      for (const recipe of ALL_DRIFTS) {
        const expected = drifted.has(recipe.checkId) ? 'fail' : recipe.baseline;
        const got = actual.get(`${hostname} ${recipe.checkId}`) ?? 'missing';
        if (got !== expected) mismatches.push(`${role.name} ${recipe.checkId}: expected ${expected}, got ${got}`);
      }
    });
    expect(mismatches).toEqual([]);
    expect(results).toHaveLength(roles.length * LINUX_CHECKS.length);
    expect(roles[1]?.drifted.length).toBeGreaterThanOrEqual(10);
    expect(roles[2]?.drifted.length).toBeGreaterThanOrEqual(10);

    const report = await central.verifyChain(appliance.applianceId);
    expect(report).toMatchObject({ ok: true, count: appliance.status().queues.chainHeadSeq });
  }, 300_000);
});
