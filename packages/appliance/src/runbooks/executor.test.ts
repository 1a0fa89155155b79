import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LinuxCheck } from '../checks/check';
import { type RunOptions, type RunResult, type Target, TargetError } from '../targets/target';
import { executeRunbook, type RunbookPolicy } from './executor';
import { createHostLocks } from './host-locks';
import type { RunbookDefinition } from './runbook';

/**
 * A host simulated by one boolean (`isFixed`): the check's collector prints its state, remediation
 * sets it, rollback clears it. Scripts are recognised by a marker word in their text.
 */
interface FakeHost {
  isFixed: boolean;
  scripts: string[];
  behaviour: Partial<
    Record<
      'detect' | 'remediate' | 'verify' | 'rollback' | 'distro',
      (script: string, options: RunOptions) => Promise<RunResult> | RunResult
    >
  >;
  running: number;
  maxRunning: number;
}

const ok = (stdout: string, exitCode = 0): RunResult => ({ stdout, stderr: '', exitCode, durationMs: 1 });

function fakeTarget(host: FakeHost, hostId = 'host-1'): Target {
  const run = async (script: string, options: RunOptions): Promise<RunResult> => {
    const marker =
      /#(DETECT|REMEDIATE|VERIFY|ROLLBACK|CAPTURE|COLLECT)\b/.exec(script)?.[1] ??
      (script.includes('os-release') ? 'DISTRO' : 'OTHER');
    const key = marker.toLowerCase() as keyof FakeHost['behaviour'];
    const custom = host.behaviour[key];
    if (custom) return custom(script, options);
    switch (marker) {
      case 'DETECT':
        return ok(`needed=${host.isFixed ? 'no' : 'yes'}\n`);
      case 'REMEDIATE':
        host.isFixed = true;
        return ok('changed\n');
      case 'ROLLBACK':
        host.isFixed = false;
        return ok('restored\n');
      case 'CAPTURE':
        return ok(`setting=${host.isFixed ? 'good' : 'bad'}\nunchanged=1\n`);
      case 'COLLECT':
        return ok(host.isFixed ? 'state=good\n' : 'state=bad\n');
      case 'VERIFY':
        return ok('verified=yes\n');
      default:
        return ok('');
    }
  };
  return {
    hostId,
    hostname: hostId,
    kind: 'ssh',
    run: async (script, options) => {
      host.scripts.push(script);
      host.running += 1;
      host.maxRunning = Math.max(host.maxRunning, host.running);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return await run(script, options);
      } finally {
        host.running -= 1;
      }
    },
    close: async () => undefined,
  };
}

const check: LinuxCheck = {
  id: 'linux.ssh.max-auth-tries',
  collector: 'echo state #COLLECT',
  evaluate: (output) =>
    output.stdout.includes('state=good')
      ? { status: 'pass', reason: 'good', observed: {} }
      : { status: 'fail', reason: 'the setting is bad', observed: {} },
};

function runbook(overrides: Partial<RunbookDefinition> = {}): RunbookDefinition {
  return {
    id: 'rb-linux.ssh.max-auth-tries',
    title: 'Test runbook',
    description: 'A runbook for the executor tests.',
    platform: 'linux',
    checks: ['linux.ssh.max-auth-tries'],
    params: z.strictObject({ maxAuthTries: z.number().int().min(1).max(3).default(3), label: z.string().default('x') }),
    detect: 'true #DETECT',
    remediate: 'true #REMEDIATE',
    rollback: 'true #ROLLBACK',
    captureState: 'true #CAPTURE',
    timeoutSeconds: 5,
    retries: { max: 0, backoffSeconds: 0 },
    disruptive: false,
    requiresMaintenanceWindow: false,
    requiresReboot: false,
    allowConcurrent: false,
    ...overrides,
  };
}

const PERMISSIVE: RunbookPolicy = { allowDisruptive: true, inMaintenanceWindow: true, allowReboot: true };
const STRICT: RunbookPolicy = { allowDisruptive: false, inMaintenanceWindow: false, allowReboot: false };

function newHost(): FakeHost {
  return { isFixed: false, scripts: [], behaviour: {}, running: 0, maxRunning: 0 };
}

function run(
  host: FakeHost,
  rb: RunbookDefinition,
  extra: { params?: unknown; policy?: RunbookPolicy; locks?: ReturnType<typeof createHostLocks>; hostId?: string } = {},
) {
  return executeRunbook({
    runbook: rb,
    target: fakeTarget(host, extra.hostId),
    checks: [check],
    params: extra.params ?? {},
    policy: extra.policy ?? STRICT,
    hostLocks: extra.locks ?? createHostLocks(),
  });
}

describe('executeRunbook refusals', () => {
  const cases: [string, Partial<RunbookDefinition>, keyof RunbookPolicy, string][] = [
    ['a disruptive runbook without allowDisruptive', { disruptive: true }, 'allowDisruptive', 'DISRUPTIVE_NOT_ALLOWED'],
    [
      'a maintenance-window runbook outside a window',
      { requiresMaintenanceWindow: true },
      'inMaintenanceWindow',
      'OUTSIDE_MAINTENANCE_WINDOW',
    ],
    ['a reboot runbook without allowReboot', { requiresReboot: true }, 'allowReboot', 'REBOOT_NOT_ALLOWED'],
  ];
  for (const [label, flags, permission, code] of cases) {
    it(`refuses ${label} and runs nothing on the host`, async () => {
      const host = newHost();
      const result = await run(host, runbook(flags), { policy: STRICT });
      expect(result.outcome).toBe('refused');
      expect(result.refusal?.code).toBe(code);
      expect(host.scripts).toEqual([]);
    });
    it(`runs ${label} once the policy grants ${permission}`, async () => {
      const host = newHost();
      const result = await run(host, runbook(flags), { policy: { ...STRICT, [permission]: true } });
      expect(result.outcome).toBe('success');
    });
  }

  it('refuses parameters the runbook schema rejects, naming the field', async () => {
    for (const params of [{ maxAuthTries: 10 }, { maxAuthTries: '3' }, { unexpected: true }, 'text']) {
      const host = newHost();
      const result = await run(host, runbook(), { params, policy: PERMISSIVE });
      expect(result.outcome).toBe('refused');
      expect(result.refusal?.code).toBe('INVALID_PARAMS');
      expect(host.scripts).toEqual([]);
    }
  });

  it('refuses when an implementation of a repaired check is missing, since success could not be judged', async () => {
    const host = newHost();
    const result = await run(host, runbook({ checks: ['linux.ssh.max-auth-tries', 'linux.ssh.x11-forwarding'] }));
    expect(result.refusal?.code).toBe('CHECK_IMPLEMENTATION_MISSING');
    expect(host.scripts).toEqual([]);
  });
});

describe('executeRunbook', () => {
  it('repairs, proves it with the check, and records phases, digests and the state diff', async () => {
    const host = newHost();
    const result = await run(host, runbook(), { params: { maxAuthTries: 2 } });
    expect(result.outcome).toBe('success');
    expect(result.params).toEqual({ maxAuthTries: 2, label: 'x' });
    expect(result.phases.map((p) => p.name)).toEqual([
      'detect',
      'capture_before',
      'remediate',
      'check',
      'capture_after',
    ]);
    expect(result.phases.find((p) => p.name === 'check')?.checkStatus).toBe('pass');
    for (const phase of result.phases) expect(phase.stdoutSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.stateDiff).toEqual(['- setting=bad', '+ setting=good']);
    expect(result.attempts).toEqual([
      { attempt: 1, delayMs: 0, remediateExitCode: 0, isVerified: true, reason: 'verified' },
    ]);
    // Parameters reach every script as quoted, exported P_ variables.
    expect(host.scripts.find((s) => s.includes('#REMEDIATE'))).toContain(
      "P_MAX_AUTH_TRIES='2'\nexport P_MAX_AUTH_TRIES\n",
    );
  });

  it('quotes parameter values so they cannot inject shell code', async () => {
    const host = newHost();
    await run(host, runbook(), { params: { label: "a'; touch /tmp/pwned; '" } });
    expect(host.scripts[0]).toContain(`P_LABEL='a'\\''; touch /tmp/pwned; '\\'''`);
  });

  it('answers not_needed and changes nothing when detection says so', async () => {
    const host = newHost();
    host.isFixed = true;
    const result = await run(host, runbook());
    expect(result.outcome).toBe('not_needed');
    expect(host.scripts.some((s) => s.includes('#REMEDIATE'))).toBe(false);
  });

  it('fails when detection prints neither answer', async () => {
    const host = newHost();
    host.behaviour.detect = () => ok('maybe\n');
    const result = await run(host, runbook());
    expect(result.outcome).toBe('failure');
    expect(result.reason).toMatch(/needed=yes/);
  });

  it('fails and rolls back when remediation exits 0 but the check still fails', async () => {
    const host = newHost();
    host.behaviour.remediate = () => ok('pretended\n');
    const result = await run(host, runbook());
    expect(result.outcome).toBe('failure');
    expect(result.reason).toMatch(/linux\.ssh\.max-auth-tries is fail/);
    expect(result.rolledBack).toBe(true);
    expect(result.phases.map((p) => p.name)).toContain('rollback');
  });

  it('fails and rolls back when the verify script does not print verified=yes', async () => {
    const host = newHost();
    host.behaviour.verify = () => ok('verified=no\n');
    const result = await run(host, runbook({ verify: 'true #VERIFY' }));
    expect(result.outcome).toBe('failure');
    expect(result.reason).toMatch(/verified=yes/);
    expect(result.rolledBack).toBe(true);
    expect(host.isFixed).toBe(false);
    expect(result.stateDiff).toEqual([]);
  });

  it('retries a failing remediation with exponential backoff and succeeds on the third attempt', async () => {
    const host = newHost();
    let calls = 0;
    host.behaviour.remediate = () => {
      calls += 1;
      if (calls < 3) return ok('', 1);
      host.isFixed = true;
      return ok('');
    };
    const started = Date.now();
    const result = await run(host, runbook({ retries: { max: 3, backoffSeconds: 0.04 } }));
    expect(result.outcome).toBe('success');
    expect(result.attempts.map((a) => [a.attempt, a.delayMs, a.remediateExitCode, a.isVerified])).toEqual([
      [1, 0, 1, false],
      [2, 40, 1, false],
      [3, 80, 0, true],
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
  });

  it('gives up after the retry budget and rolls back', async () => {
    const host = newHost();
    host.behaviour.remediate = () => ({ stdout: '', stderr: 'apt lock held', exitCode: 100, durationMs: 1 });
    const result = await run(host, runbook({ retries: { max: 2, backoffSeconds: 0.001 } }));
    expect(result.outcome).toBe('failure');
    expect(result.attempts).toHaveLength(3);
    expect(result.reason).toMatch(/code 100: apt lock held/);
    expect(result.rolledBack).toBe(true);
  });

  it('does not retry a remediation that exits 3 (cannot apply on this host)', async () => {
    const host = newHost();
    host.behaviour.remediate = () => ({
      stdout: '',
      stderr: 'systemd is not running here',
      exitCode: 3,
      durationMs: 1,
    });
    const result = await run(host, runbook({ retries: { max: 3, backoffSeconds: 0 } }));
    expect(result.outcome).toBe('failure');
    expect(result.attempts).toHaveLength(1);
    expect(result.reason).toMatch(/code 3: systemd is not running here/);
  });

  it('stops a hung remediation at the runbook timeout, does not retry it, and rolls back', async () => {
    const host = newHost();
    host.behaviour.remediate = (_script, options) =>
      new Promise((_resolve, reject) =>
        setTimeout(() => reject(new TargetError('TIMEOUT', 'timed out')), options.timeoutMs),
      );
    const started = Date.now();
    const result = await run(host, runbook({ timeoutSeconds: 1, retries: { max: 3, backoffSeconds: 0 } }));
    expect(result.outcome).toBe('failure');
    expect(result.attempts).toHaveLength(1);
    expect(result.phases.find((p) => p.name === 'remediate')?.targetError).toBe('TIMEOUT');
    expect(result.rolledBack).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('does not retry into a host that stopped answering after the remediation, and still tries the rollback', async () => {
    const host = newHost();
    let isCutOff = false;
    host.behaviour.remediate = () => {
      isCutOff = true;
      return ok('');
    };
    const unreachable = () => {
      if (isCutOff) throw new TargetError('UNREACHABLE', 'connection refused');
      return ok('');
    };
    host.behaviour.rollback = unreachable;
    const target = fakeTarget(host);
    const cutTarget: Target = {
      ...target,
      run: (script, options) =>
        isCutOff && script.includes('#COLLECT')
          ? Promise.reject(new TargetError('UNREACHABLE', 'connection refused'))
          : target.run(script, options),
    };
    const result = await executeRunbook({
      runbook: runbook({ retries: { max: 3, backoffSeconds: 0 } }),
      target: cutTarget,
      checks: [check],
      params: {},
      policy: STRICT,
      hostLocks: createHostLocks(),
    });
    expect(result.outcome).toBe('failure');
    expect(result.attempts).toHaveLength(1);
    expect(result.reason).toMatch(/could not be reached/);
    expect(result.phases.find((p) => p.name === 'rollback')?.targetError).toBe('UNREACHABLE');
    expect(result.rolledBack).toBe(false);
  });

  it('reports a failed rollback as such', async () => {
    const host = newHost();
    host.behaviour.remediate = () => ok('', 2);
    host.behaviour.rollback = () => ok('', 1);
    const result = await run(host, runbook());
    expect(result.rolledBack).toBe(false);
    expect(result.reason).toMatch(/Rollback failed/);
  });

  it('runs the variant for the host distribution family', async () => {
    const host = newHost();
    host.behaviour.distro = () => ok('id=rocky\nlike=rhel centos fedora\n');
    const result = await run(
      host,
      runbook({ remediate: { default: 'false #REMEDIATE default', rhel: 'true #REMEDIATE rhel' } }),
    );
    expect(result.distro).toBe('rhel');
    expect(host.scripts.filter((s) => s.includes('#REMEDIATE')).map((s) => s.slice(s.indexOf('#REMEDIATE')))).toEqual([
      '#REMEDIATE rhel',
    ]);
  });

  it('runs runbooks that forbid concurrency one at a time per host, and others side by side', async () => {
    const locks = createHostLocks();
    const exclusive = newHost();
    const runs = [0, 1, 2].map(() => run(exclusive, runbook({ allowConcurrent: false }), { locks }));
    await Promise.all(runs);
    expect(exclusive.maxRunning).toBe(1);
    const shared = newHost();
    await Promise.all([0, 1, 2].map(() => run(shared, runbook({ allowConcurrent: true }), { locks })));
    expect(shared.maxRunning).toBeGreaterThan(1);
  });
});
