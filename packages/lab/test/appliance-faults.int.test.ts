import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LinuxCheck, parseConfig, type RunningAppliance, startAppliance } from '@osiris/appliance';
import { type CentralServer, startCentralServer } from '@osiris/central/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';
import { labApplianceConfig } from '../src/scenarios/lab-appliance';

/** Collectors that misbehave on purpose; the evaluator only passes a clean "ok". */
const misbehaving = (id: string, collector: string): LinuxCheck => ({
  id,
  collector,
  evaluate: ({ stdout, exitCode }) =>
    exitCode === 0 && stdout === 'ok\n'
      ? { status: 'pass', reason: 'ok', observed: {} }
      : { status: 'error', reason: `unexpected output (${stdout.length} bytes, exit ${exitCode})`, observed: {} },
});
const CHECKS: LinuxCheck[] = [
  misbehaving('linux.kernel.aslr', 'echo ok'),
  misbehaving('linux.ssh.permit-root-login', 'sleep 100'),
  misbehaving('linux.ssh.strong-ciphers', 'head -c 3000000 /dev/zero'),
  misbehaving('linux.ssh.strong-macs', "printf '\\377\\376garbage\\000\\n'"),
];

/**
 * Faults during a cycle on real lab hosts: a hung command, oversize and garbage output, an
 * unreachable host and a changed host key each give a result with status `error` and a clear
 * reason, the cycle goes on for everything else, and all of it reaches central as evidence.
 */
describe('appliance faults on lab hosts', () => {
  const lab = createLab();
  const hosts: LabHost[] = [];
  let central: CentralServer;
  let dir: string;
  let siteId: string;
  let appliance: RunningAppliance | null = null;

  const configFor = async (provisionCode?: string) => {
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode,
      hosts,
      extra: {
        checks: {
          defaultIntervalSeconds: 3600,
          initialSpreadSeconds: 0,
          jitter: 0,
          commandTimeoutSeconds: 2,
          maxOutputBytes: 100_000,
        },
        ssh: { connectTimeoutSeconds: 2 },
      },
    });
    // Nothing listens on this port of a lab host: traffic stays inside the lab, and the host is "gone".
    const first = hosts[0]?.info;
    (config.targets as unknown[]).push({
      name: 'gone-host',
      kind: 'ssh',
      host: first?.ip,
      port: 2299,
      user: 'root',
      keyPath: first?.privateKeyPath,
    });
    return parseConfig(JSON.stringify(config), {});
  };

  const resultsOf = (a: RunningAppliance, hostname: string) =>
    new Map(
      a
        .status()
        .results.filter((r) => r.hostname === hostname)
        .map((r) => [r.checkId, r]),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'osiris-faults-'));
    hosts.push(await lab.createHost(), await lab.createHost());
    central = await startCentralServer('pglite');
    siteId = (await central.createSite('faults-site')).siteId;
  }, 120_000);
  afterAll(async () => {
    await appliance?.stop();
    await central?.close();
    for (const host of hosts) await host.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('records hung, oversize and garbage runs and an unreachable host as errors, and the cycle goes on', async () => {
    appliance = await startAppliance({
      config: await configFor(await central.provisionCode(siteId)),
      checks: CHECKS,
      log: createLogger('silent'),
    });
    await appliance.scheduler.runCycle();
    for (const host of hosts) {
      const results = resultsOf(appliance, host.info.name);
      expect(results.get('linux.kernel.aslr')?.status).toBe('pass');
      expect(results.get('linux.ssh.permit-root-login')).toMatchObject({ status: 'error' });
      expect(results.get('linux.ssh.permit-root-login')?.reason).toMatch(/did not finish within 2 s/);
      expect(results.get('linux.ssh.strong-ciphers')?.reason).toMatch(/more than 100000 bytes/);
      expect(results.get('linux.ssh.strong-macs')).toMatchObject({ status: 'error' });
      expect(results.get('linux.ssh.strong-macs')?.reason).toMatch(/unexpected output/);
    }
    const gone = [...resultsOf(appliance, 'gone-host').values()];
    expect(gone).toHaveLength(CHECKS.length);
    for (const r of gone) {
      expect(r.status).toBe('error');
      expect(r.reason).toMatch(/could not be reached/);
    }
    expect(appliance.status().targets.find((t) => t.hostname === 'gone-host')?.lastError).toBe('UNREACHABLE');
  }, 120_000);

  it('refuses a host whose SSH key changed, reports it, and keeps checking the others', async () => {
    await appliance?.stop();
    const changed = hosts[1];
    if (!changed) throw new Error('no host');
    const rekey = await changed.exec(`rm -f /etc/ssh/ssh_host_*
      ssh-keygen -q -t ed25519 -N '' -C changed -f /etc/ssh/ssh_host_ed25519_key
      kill -HUP "$(cat /run/sshd.pid)"; sleep 1`);
    expect(rekey.exitCode).toBe(0);
    appliance = await startAppliance({ config: await configFor(), checks: CHECKS, log: createLogger('silent') });
    const before = appliance.status().queues.chainHeadSeq;
    await appliance.scheduler.runCycle();
    const refused = resultsOf(appliance, changed.info.name);
    expect(refused.get('linux.kernel.aslr')?.status).toBe('error');
    expect(refused.get('linux.kernel.aslr')?.reason).toMatch(/different SSH host key/);
    expect(resultsOf(appliance, hosts[0]?.info.name ?? '').get('linux.kernel.aslr')?.status).toBe('pass');
    expect(appliance.status().securityEvents[0]?.message).toContain(`${changed.info.ip}:22`);
    const html = await (await fetch(appliance.statusUrl ?? '')).text();
    expect(html).toContain('presented host key');

    const deadline = Date.now() + 30_000;
    while (appliance.status().queues.evidenceOutbox > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const evidence = await central.evidence(appliance.applianceId);
    const latest = evidence.filter((e) => e.seq > before && e.signed.bundle.hostname === changed.info.name);
    expect(latest.map((e) => e.signed.bundle.status)).toEqual(CHECKS.map(() => 'error'));
    expect((await central.verifyChain(appliance.applianceId)).ok).toBe(true);
  }, 120_000);
});
