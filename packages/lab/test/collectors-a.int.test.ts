import { LINUX_CHECK_IMPLEMENTATIONS } from '@osiris/appliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';

/**
 * Group A collectors (ssh, network, services, logging) on a real lab host: a fresh host gives no
 * `error`, each harden script leads to the drift's baseline verdict, each drift script to `fail`.
 * Scenarios whose scripts touch the same place are independent because the host is reset before
 * each one that changes anything.
 */
const lab = createLab();
let host: LabHost;
const checks = new Map(LINUX_CHECK_IMPLEMENTATIONS.map((check) => [check.id, check]));

async function runCheck(checkId: string) {
  const check = checks.get(checkId);
  if (!check) throw new Error(`no implementation for ${checkId}`);
  const output = await host.exec('sh -s', { input: check.collector, timeoutMs: 15_000 });
  return { output, evaluation: check.evaluate(output) };
}

async function runScript(label: string, script: string): Promise<void> {
  const result = await host.exec('sh -s', { input: script, timeoutMs: 15_000 });
  expect(result.exitCode, `${label} failed: ${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  await lab.sweep();
  host = await lab.createHost();
}, 60_000);

afterAll(async () => {
  await host?.destroy();
});

describe('group A collectors on a lab host', () => {
  it('covers every group A check with a drift entry', () => {
    const groupA = [...checks.keys()].filter((id) =>
      /^linux\.(ssh|firewall|sysctl|kernel|service|audit|logging|time)\./.test(id),
    );
    expect(DRIFTS_GROUP_A.map((d) => d.checkId).sort()).toEqual(groupA.sort());
  });

  it('never answers error on a fresh host, and every collector finishes in seconds', async () => {
    for (const drift of DRIFTS_GROUP_A) {
      const started = Date.now();
      const { evaluation } = await runCheck(drift.checkId);
      expect(evaluation.status, `${drift.checkId}: ${evaluation.reason}`).not.toBe('error');
      expect(Date.now() - started, drift.checkId).toBeLessThan(5_000);
    }
  }, 60_000);

  for (const drift of DRIFTS_GROUP_A) {
    it(`${drift.checkId}: ${drift.baseline} after harden${drift.drift ? ', fail after drift' : ''}`, async () => {
      if (drift.harden || drift.drift) await host.reset();
      if (drift.harden) await runScript('harden', drift.harden);
      const baseline = await runCheck(drift.checkId);
      expect(baseline.evaluation.status, baseline.evaluation.reason).toBe(drift.baseline);
      if (drift.drift) {
        await runScript('drift', drift.drift);
        const drifted = await runCheck(drift.checkId);
        expect(drifted.evaluation.status, drifted.evaluation.reason).toBe('fail');
        // root's key login must survive every drift: sshd still listens and accepts the config
        const sshd = await host.exec('/usr/sbin/sshd -t && kill -0 "$(cat /run/sshd.pid)"');
        expect(sshd.exitCode, sshd.stderr).toBe(0);
      }
    }, 30_000);
  }
});
