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
import { DRIFTS_GROUP_A } from '../src/drifts/group-a';
import { DRIFTS_GROUP_B } from '../src/drifts/group-b';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';

/**
 * Every Linux runbook whose check can drift inside a lab host, on a real host over the appliance's
 * own SSH target: drift → the check fails → the executor repairs it (success is only granted when
 * the check passes again) → the check passes and root's key login still works → a second run
 * answers not_needed. One host serves every scenario: each runbook leaves it compliant again.
 */
const DRIFTS = new Map([...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B].map((drift) => [drift.checkId, drift]));
const CHECKS = new Map(LINUX_CHECK_IMPLEMENTATIONS.map((check) => [check.id, check]));
const testable = LINUX_RUNBOOKS.filter((runbook) => DRIFTS.get(runbook.checks[0] as string)?.drift);
const POLICY = { allowDisruptive: true, inMaintenanceWindow: false, allowReboot: false };
const RUN_OPTIONS = { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 };

const lab = createLab();
const hostLocks = createHostLocks();
const pins = new Map<string, string>();
let host: LabHost;
let target: Target;

/** sshd re-executes when a drift reloads it; new connections are refused until it listens again. */
const WAIT_FOR_SSHD = `for i in $(seq 50); do awk 'FNR > 1 && $4 == "0A" && $2 ~ /:0016$/ { f = 1 } END { exit !f }' /proc/net/tcp && exit 0; sleep 0.1; done; exit 1`;

async function sh(label: string, script: string): Promise<void> {
  const result = await host.exec('sh -s', { input: script, timeoutMs: 30_000 });
  expect(result.exitCode, `${label}: ${result.stderr}`).toBe(0);
  const listening = await host.exec('sh -s', { input: WAIT_FOR_SSHD, timeoutMs: 10_000 });
  expect(listening.exitCode, `sshd not listening after ${label}`).toBe(0);
}

beforeAll(async () => {
  host = await lab.createHost();
  target = createSshTarget({
    hostId: 'lab-runbooks',
    hostname: host.info.name,
    host: host.info.ip,
    port: host.info.sshPort,
    username: host.info.user,
    auth: { privateKey: readFileSync(host.info.privateKeyPath) },
    pins: { get: (key) => pins.get(key) ?? null, pin: (key, fingerprint) => void pins.set(key, fingerprint) },
    connectTimeoutMs: 10_000,
  });
  for (const drift of DRIFTS.values()) if (drift.harden) await sh(`harden ${drift.checkId}`, drift.harden);
}, 120_000);

afterAll(async () => {
  await target?.close();
  await host?.destroy();
});

describe('Linux runbooks on a lab host', () => {
  it('leaves out only runbooks whose check cannot drift inside a lab host', () => {
    // No systemd, no package installs and a shared kernel in lab hosts (see the drift recipes).
    const untestable = LINUX_RUNBOOKS.filter((runbook) => !testable.includes(runbook)).map((r) => r.id);
    expect(untestable.sort()).toEqual(
      [
        'rb-linux.accounts.password-quality',
        'rb-linux.audit.auditd-active',
        'rb-linux.audit.identity-rules',
        'rb-linux.audit.login-rules',
        'rb-linux.audit.sudoers-rules',
        'rb-linux.kernel.aslr',
        'rb-linux.logging.syslog-active',
        'rb-linux.time.sync-daemon',
      ].sort(),
    );
  });

  for (const runbook of testable) {
    const checkId = runbook.checks[0] as string;
    it(`${runbook.id} repairs its drift, then finds nothing to do`, async () => {
      const check = CHECKS.get(checkId);
      if (!check) throw new Error(`no implementation of ${checkId}`);
      await sh('drift', DRIFTS.get(checkId)?.drift as string);
      const drifted = await runCheck(target, check, RUN_OPTIONS);
      expect(drifted.status, drifted.reason).toBe('fail');

      const run = () => executeRunbook({ runbook, target, checks: [check], params: {}, policy: POLICY, hostLocks });
      const repaired = await run();
      expect(repaired.outcome, `${repaired.reason}\n${JSON.stringify(repaired.phases)}`).toBe('success');
      expect(repaired.stateDiff.length).toBeGreaterThan(0);
      const after = await runCheck(target, check, RUN_OPTIONS);
      expect(after.status, after.reason).toBe('pass');
      // The appliance's way in survives: a new SSH connection still logs in with the key.
      const sshd = await host.exec('/usr/sbin/sshd -t && kill -0 "$(cat /run/sshd.pid)"');
      expect(sshd.exitCode, sshd.stderr).toBe(0);

      const again = await run();
      expect(again.outcome, again.reason).toBe('not_needed');
    }, 60_000);
  }

  it('persists a kernel setting and disarms a file that would undo it at boot', async () => {
    const runbook = LINUX_RUNBOOKS.find((r) => r.id === 'rb-linux.sysctl.tcp-syncookies');
    const check = CHECKS.get('linux.sysctl.tcp-syncookies');
    if (!runbook || !check) throw new Error('rb-linux.sysctl.tcp-syncookies or its check is missing');
    await sh(
      'drift',
      "printf 'net.ipv4.tcp_syncookies = 0\\n' > /etc/sysctl.d/99-local.conf\necho 0 > /proc/sys/net/ipv4/tcp_syncookies",
    );
    const result = await executeRunbook({ runbook, target, checks: [check], params: {}, policy: POLICY, hostLocks });
    expect(result.outcome, result.reason).toBe('success');
    const files = await host.exec('cat /etc/sysctl.d/99-local.conf; echo ---; cat /etc/sysctl.d/60-osiris.conf');
    expect(files.stdout).toContain('#osiris-replaced# net.ipv4.tcp_syncookies = 0');
    expect(files.stdout).toContain('net.ipv4.tcp_syncookies = 1');
    expect(result.stateDiff).toContain('+ runtime net.ipv4.tcp_syncookies = 1');
  }, 30_000);

  it('leaves sshd untouched and the appliance connected when sshd rejects the change', async () => {
    const runbook = LINUX_RUNBOOKS.find((r) => r.id === 'rb-linux.ssh.strong-kex');
    const check = CHECKS.get('linux.ssh.strong-kex');
    if (!runbook || !check) throw new Error('rb-linux.ssh.strong-kex or its check is missing');
    await sh('drift', DRIFTS.get('linux.ssh.strong-kex')?.drift as string);
    const configBefore = await host.exec('cat /etc/ssh/sshd_config');
    const options = { runbook, target, checks: [check], policy: POLICY, hostLocks };
    const rejected = await executeRunbook({
      ...options,
      params: { kexAlgorithms: 'curve25519-sha256,no-such-kex@osiris.invalid' },
    });
    expect(rejected.outcome).toBe('failure');
    expect(rejected.reason).toMatch(/sshd rejects the new configuration/);
    expect((await host.exec('cat /etc/ssh/sshd_config')).stdout).toBe(configBefore.stdout);
    expect((await target.run('echo still-connected', RUN_OPTIONS)).stdout.trim()).toBe('still-connected');
    // With valid parameters the same runbook repairs the host, so later scenarios start compliant.
    expect((await executeRunbook({ ...options, params: {} })).outcome).toBe('success');
  }, 60_000);

  // Lab hosts run no systemd and have no auditd: these runbooks must say they cannot apply, never
  // claim success, and not retry. (password-quality would install a package and aslr would touch the
  // machine-wide kernel setting, so those two are not run here at all.)
  const CANNOT_APPLY: Record<string, RegExp> = {
    'rb-linux.audit.auditd-active': /systemd is not running here/,
    'rb-linux.audit.identity-rules': /auditd is not installed/,
    'rb-linux.audit.sudoers-rules': /auditd is not installed/,
    'rb-linux.audit.login-rules': /auditd is not installed/,
    'rb-linux.logging.syslog-active': /systemd is not running here/,
    'rb-linux.time.sync-daemon': /systemd is not running here/,
  };
  for (const [runbookId, reason] of Object.entries(CANNOT_APPLY)) {
    it(`${runbookId} reports that it cannot apply without systemd or auditd, once`, async () => {
      const runbook = LINUX_RUNBOOKS.find((r) => r.id === runbookId);
      const checks = LINUX_CHECK_IMPLEMENTATIONS.filter((check) => runbook?.checks.includes(check.id));
      if (!runbook) throw new Error(`${runbookId} is missing`);
      const result = await executeRunbook({ runbook, target, checks, params: {}, policy: POLICY, hostLocks });
      expect(result.outcome).toBe('failure');
      expect(result.reason).toMatch(reason);
      expect(result.attempts).toHaveLength(1);
    }, 30_000);
  }

  it('logs in over a fresh SSH connection after all sshd changes', async () => {
    const fresh = createSshTarget({
      hostId: 'lab-runbooks-fresh',
      hostname: host.info.name,
      host: host.info.ip,
      port: host.info.sshPort,
      username: host.info.user,
      auth: { privateKey: readFileSync(host.info.privateKeyPath) },
      pins: { get: (key) => pins.get(key) ?? null, pin: (key, fingerprint) => void pins.set(key, fingerprint) },
      connectTimeoutMs: 10_000,
    });
    try {
      const result = await fresh.run('echo logged-in', RUN_OPTIONS);
      expect(result.stdout.trim()).toBe('logged-in');
    } finally {
      await fresh.close();
    }
  });
});
