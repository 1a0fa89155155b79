import { readFileSync } from 'node:fs';
import {
  createHostLocks,
  createSshTarget,
  executeRunbook,
  LINUX_CHECK_IMPLEMENTATIONS,
  LINUX_RUNBOOKS,
  runCheck,
  type Target,
} from '@osiris/appliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS } from '../src/chaos/attacks';
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';

/**
 * rb-linux.firewall.default-deny-input on a real lab host over the appliance's own SSH target, the
 * one repair that can cut the appliance off (issue 4): the baseline ruleset keeps SSH open and is
 * confirmed; a planted ruleset that drops SSH fails, and the commit-confirm timer on the host gives
 * the appliance its way back with the ruleset from before the change. No revert timer outlives a run.
 */
const CHECK_ID = 'linux.firewall.default-deny-input';
const CONFIRM_DIR = '/var/lib/osiris-runbooks/firewall-confirm';
const POLICY = { allowDisruptive: false, inMaintenanceWindow: false, allowReboot: false };
const RUN_OPTIONS = { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 };
/** Short enough to keep the lockout case under a minute, long enough for a confirmed run. */
const CONFIRM_SECONDS = 10;

const runbook = LINUX_RUNBOOKS.find((r) => r.id === `rb-${CHECK_ID}`);
const check = LINUX_CHECK_IMPLEMENTATIONS.find((c) => c.id === CHECK_ID);
const acceptAll = DRIFTS_GROUP_A.find((d) => d.checkId === CHECK_ID)?.drift;
const trap = ATTACKS.find((a) => a.id === 'firewall-lockout-trap');

const lab = createLab();
const hostLocks = createHostLocks();
const pins = new Map<string, string>();
let host: LabHost;
let target: Target;

function sshTarget(hostId: string): Target {
  return createSshTarget({
    hostId,
    hostname: host.info.name,
    host: host.info.ip,
    port: host.info.sshPort,
    username: host.info.user,
    auth: { privateKey: readFileSync(host.info.privateKeyPath) },
    pins: { get: (key) => pins.get(key) ?? null, pin: (key, fingerprint) => void pins.set(key, fingerprint) },
    connectTimeoutMs: 5_000,
  });
}

async function sh(label: string, script: string): Promise<string> {
  const result = await host.exec('sh -s', { input: script, timeoutMs: 30_000 });
  expect(result.exitCode, `${label}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A fresh SSH connection logs in and runs a command (what the appliance's next contact needs). */
async function canLogIn(): Promise<boolean> {
  const fresh = sshTarget(`lab-fw-probe-${Date.now()}`);
  try {
    return (await fresh.run('echo in', { timeoutMs: 5_000, maxOutputBytes: 4096 })).stdout.trim() === 'in';
  } catch {
    return false;
  } finally {
    await fresh.close();
  }
}

/** Command lines of any revert timer still alive on the host (its shell is named osiris-fw-revert). */
async function revertTimers(): Promise<string[]> {
  const out = await sh(
    'list processes',
    `for p in /proc/[0-9]*; do tr '\\0' ' ' < "$p/cmdline" 2>/dev/null; echo; done`,
  );
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('osiris-fw-revert') || /^sleep (10|45)$/.test(line));
}

const rulesetOf = (state: string | null): string =>
  (state ?? '').split('## /etc/nftables.conf')[0]?.replace('## nft list ruleset', '').trim() ?? '';

beforeAll(async () => {
  host = await lab.createHost();
  target = sshTarget('lab-fw-lockout');
}, 120_000);

afterAll(async () => {
  await target?.close();
  // Destroying the host ends every process in its PID namespace, a stray timer included.
  await host?.destroy();
});

describe('rb-linux.firewall.default-deny-input on a lab host', () => {
  it('installs the baseline when no ruleset is configured, keeps SSH open and confirms', async () => {
    if (!runbook || !check || !acceptAll) throw new Error('runbook, check or drift recipe missing');
    await sh('open the firewall', `${acceptAll}rm -f /etc/nftables.conf\n`);
    expect((await runCheck(target, check, RUN_OPTIONS)).status).toBe('fail');

    const run = () => executeRunbook({ runbook, target, checks: [check], params: {}, policy: POLICY, hostLocks });
    const repaired = await run();
    expect(repaired.outcome, `${repaired.reason}\n${JSON.stringify(repaired.phases)}`).toBe('success');
    expect(repaired.phases.some((p) => p.name === 'verify' && p.exitCode === 0)).toBe(true);
    expect(repaired.stateDiff.some((line) => line.includes('policy drop'))).toBe(true);

    const check2 = await runCheck(target, check, RUN_OPTIONS);
    expect(check2.status, check2.reason).toBe('pass');
    expect(await canLogIn()).toBe(true);
    const ruleset = await sh('ruleset', 'nft list ruleset');
    expect(ruleset).toMatch(/hook input priority filter; policy drop;/);
    expect(ruleset).toMatch(/tcp dport 22 accept/);
    // Confirmed: the timer is gone and its files with it, so nothing reverts the repair later.
    expect(await sh('confirm dir', `[ -e ${CONFIRM_DIR} ] && echo present || echo absent`)).toBe('absent\n');
    expect(await revertTimers()).toEqual([]);

    expect((await run()).outcome).toBe('not_needed');
  }, 90_000);

  it('fails, never loops and gets its access back by the revert when the fix cuts off SSH', async () => {
    if (!runbook || !check || !trap) throw new Error('runbook, check or trap attack missing');
    await sh('plant the trap', trap.script);
    expect((await runCheck(target, check, RUN_OPTIONS)).status).toBe('fail');
    const before = rulesetOf(await sh('capture', 'echo "## nft list ruleset"; nft list ruleset'));

    // Scaled down, with the definition's ordering: the phase timeout ends the stalled check after
    // the timer has restored access, so the rollback that follows reaches the host. (Left alone, the
    // stalled SSH connection would resume at its next TCP retransmission after the revert, ~14 s
    // here, and the check would report the restored accept-all ruleset: a failure all the same.)
    const shortRunbook = { ...runbook, timeoutSeconds: CONFIRM_SECONDS + 2 };
    const startedAt = Date.now();
    const result = await executeRunbook({
      runbook: shortRunbook,
      target,
      checks: [check],
      params: { confirmSeconds: CONFIRM_SECONDS },
      policy: POLICY,
      hostLocks,
    });
    const record = `${result.reason}\n${JSON.stringify(result.phases)}`;
    expect(result.outcome, record).toBe('failure');
    // One attempt: the same fix is not tried again, and it was never confirmed.
    expect(result.attempts, record).toHaveLength(1);
    expect(
      result.phases.some((p) => p.name === 'verify' && p.exitCode === 0),
      record,
    ).toBe(false);
    // The change did cut the appliance off: a phase timed out or lost the host, or the check could
    // only see the ruleset once the revert had restored it.
    const lostPhase = result.phases.some((p) => p.targetError !== undefined || p.checkStatus === 'error');
    expect(lostPhase || result.durationMs >= CONFIRM_SECONDS * 1000, record).toBe(true);

    // Access is back within the confirm window plus a margin, with the ruleset from before the fix.
    let isBack = await canLogIn();
    while (!isBack && Date.now() - startedAt < (CONFIRM_SECONDS + 30) * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      isBack = await canLogIn();
    }
    expect(isBack, record).toBe(true);
    expect((await target.run('echo back', RUN_OPTIONS)).stdout.trim()).toBe('back');
    const after = await sh('ruleset', 'nft list ruleset');
    expect(after.trim()).toBe(before);
    expect(after).toMatch(/policy accept;/);
    expect(rulesetOf(result.stateBefore)).toBe(before);
    // The rollback ran after the revert and found nothing left to undo; no timer or file remains.
    expect(result.rolledBack, record).toBe(true);
    expect(await sh('confirm dir', `[ -e ${CONFIRM_DIR} ] && echo present || echo absent`)).toBe('absent\n');
    expect(await revertTimers()).toEqual([]);
    expect((await runCheck(target, check, RUN_OPTIONS)).status).toBe('fail');
  }, 90_000);
});
