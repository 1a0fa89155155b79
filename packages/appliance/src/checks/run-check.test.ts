import { describe, expect, it } from 'vitest';
import { type RunOptions, type Target, TargetError } from '../targets/target';
import type { LinuxCheck } from './check';
import { runCheck } from './run-check';

const target = (run: Target['run']): Target => ({
  hostId: '0193a0c2-7d3e-7a41-9f00-000000000001',
  hostname: 'web01',
  kind: 'ssh',
  run,
  close: async () => undefined,
});
const check: LinuxCheck = {
  id: 'linux.kernel.aslr',
  collector: 'cat /proc/sys/kernel/randomize_va_space',
  evaluate: ({ stdout }) =>
    stdout.trim() === '2'
      ? { status: 'pass', reason: 'full ASLR', observed: { value: 2 } }
      : { status: 'fail', reason: 'weak ASLR', observed: { value: stdout.trim() } },
};
const OPTIONS = { timeoutMs: 5_000, maxOutputBytes: 1000 };

describe('runCheck', () => {
  it('evaluates what the collector printed and keeps the whole input for the digest', async () => {
    const result = await runCheck(
      target(async () => ({ stdout: '2\n', stderr: '', exitCode: 0, durationMs: 3 })),
      check,
      OPTIONS,
    );
    expect(result).toMatchObject({ status: 'pass', reason: 'full ASLR', observed: { value: 2 }, hostname: 'web01' });
    expect(result.evaluatorInput).toEqual({ stdout: '2\n', exitCode: 0 });
    expect(result.finishedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt.getTime());
  });

  it.each([
    ['TIMEOUT', /did not finish within 5 s on web01/],
    ['OUTPUT_TOO_LARGE', /more than 1000 bytes on web01/],
    ['UNREACHABLE', /web01 could not be reached: boom/],
    ['HOST_KEY_CHANGED', /different SSH host key/],
    ['AUTH_FAILED', /refused the appliance's credentials: boom/],
    ['ABORTED', /shutting down/],
    ['FAILED', /could not be run on web01: boom/],
  ] as const)('turns %s into an error result with a clear reason', async (code, reason) => {
    const result = await runCheck(
      target(async () => {
        throw new TargetError(code, 'boom');
      }),
      check,
      OPTIONS,
    );
    expect(result.status).toBe('error');
    expect(result.reason).toMatch(reason);
    expect(result.observed).toEqual({ targetError: code });
    expect(result.evaluatorInput).toEqual({ error: code });
  });

  it('records a run without exit status and an evaluator that throws as errors', async () => {
    const noExit = await runCheck(
      target(async () => ({ stdout: '', stderr: '', exitCode: null, durationMs: 1 })),
      check,
      OPTIONS,
    );
    expect(noExit).toMatchObject({ status: 'error', reason: expect.stringMatching(/without an exit status/) });
    const throwing: LinuxCheck = {
      ...check,
      evaluate: () => {
        throw new Error('bad parser');
      },
    };
    const thrown = await runCheck(
      target(async () => ({ stdout: 'x', stderr: '', exitCode: 0, durationMs: 1 })),
      throwing,
      OPTIONS,
    );
    expect(thrown).toMatchObject({ status: 'error', reason: expect.stringMatching(/bad parser/) });
  });

  it('gives a slow check its own longer timeout, never a shorter one', async () => {
    const seen: RunOptions[] = [];
    const recording = target(async (_script, options) => {
      seen.push(options);
      return { stdout: '2\n', stderr: '', exitCode: 0, durationMs: 1 };
    });
    await runCheck(recording, { ...check, timeoutSeconds: 150 }, OPTIONS);
    await runCheck(recording, { ...check, timeoutSeconds: 1 }, OPTIONS);
    expect(seen.map((o) => o.timeoutMs)).toEqual([150_000, 5_000]);
  });
});
