import { LINUX_CHECK_IMPLEMENTATIONS } from '@osiris/appliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTS_GROUP_B } from '../src/drifts/group-b';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';

/**
 * Group B collectors (accounts, session, files, MAC, patching, disks, /tmp, AIDE, backups) on a real
 * lab host. A reset per scenario costs seconds and two of these collectors walk the whole disk, so
 * the scenarios run in three phases on one host: fresh, every harden script, then every drift script.
 * The drifts are chosen not to overlap (no drift makes another check's file world-writable or
 * unowned), so each `fail` below is caused by that check's own drift.
 */
const GROUP_B_ID = /^linux\.(accounts|session|files|mac|patch|disk|mount|integrity|backup)\./;
/** The filesystem scans walk this machine's whole root disk; everything else answers in well under a second. */
const COLLECTOR_TIMEOUT_MS = 60_000;

const lab = createLab();
let host: LabHost;
const checks = new Map(LINUX_CHECK_IMPLEMENTATIONS.map((check) => [check.id, check]));

async function runCheck(checkId: string) {
  const check = checks.get(checkId);
  if (!check) throw new Error(`no implementation for ${checkId}`);
  const output = await host.exec('sh -s', { input: check.collector, timeoutMs: COLLECTOR_TIMEOUT_MS });
  return check.evaluate(output);
}

async function runScript(label: string, script: string): Promise<void> {
  const result = await host.exec('sh -s', { input: script, timeoutMs: 15_000 });
  expect(result.exitCode, `${label} failed: ${result.stderr}`).toBe(0);
}

/** Runs every collector at once (the scans dominate; running them side by side halves the wait). */
async function runAll(ids: readonly string[]) {
  const evaluations = await Promise.all(ids.map((id) => runCheck(id)));
  return new Map(ids.map((id, i) => [id, evaluations[i] as Awaited<ReturnType<typeof runCheck>>]));
}

beforeAll(async () => {
  await lab.sweep(); // leftovers of a crashed run only; live hosts of other processes are kept
  host = await lab.createHost();
}, 60_000);

afterAll(async () => {
  await host?.destroy();
});

describe('group B collectors on a lab host', () => {
  it('has exactly one drift entry for every group B check', () => {
    const groupB = [...checks.keys()].filter((id) => GROUP_B_ID.test(id)).sort();
    expect(groupB).toHaveLength(22);
    expect(DRIFTS_GROUP_B.map((d) => d.checkId).sort()).toEqual(groupB);
  });

  it('never answers error on a fresh host, and checks without a harden script meet their baseline', async () => {
    const results = await runAll(DRIFTS_GROUP_B.map((d) => d.checkId));
    for (const drift of DRIFTS_GROUP_B) {
      const evaluation = results.get(drift.checkId);
      expect(evaluation?.status, `${drift.checkId}: ${evaluation?.reason}`).not.toBe('error');
      if (!drift.harden) expect(evaluation?.status, `${drift.checkId}: ${evaluation?.reason}`).toBe(drift.baseline);
    }
  }, 120_000);

  it('reaches every declared baseline after the harden scripts, and fail after the drift scripts', async () => {
    await host.reset();
    for (const drift of DRIFTS_GROUP_B) if (drift.harden) await runScript(`${drift.checkId} harden`, drift.harden);
    const hardened = await runAll(DRIFTS_GROUP_B.map((d) => d.checkId));
    for (const drift of DRIFTS_GROUP_B) {
      const evaluation = hardened.get(drift.checkId);
      expect(evaluation?.status, `${drift.checkId} after harden: ${evaluation?.reason}`).toBe(drift.baseline);
    }

    const drifting = DRIFTS_GROUP_B.filter((d) => d.drift);
    for (const drift of drifting) await runScript(`${drift.checkId} drift`, drift.drift as string);
    const drifted = await runAll(drifting.map((d) => d.checkId));
    for (const drift of drifting) {
      const evaluation = drifted.get(drift.checkId);
      expect(evaluation?.status, `${drift.checkId} after drift: ${evaluation?.reason}`).toBe('fail');
    }
    // Root's key login must survive every script: sshd still accepts its config and runs.
    const sshd = await host.exec('/usr/sbin/sshd -t && kill -0 "$(cat /run/sshd.pid)"');
    expect(sshd.exitCode, sshd.stderr).toBe(0);
  }, 180_000);
});
