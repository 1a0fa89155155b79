import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTarget } from './local';
import { type RunOptions, TargetError } from './target';

const OPTIONS: RunOptions = { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 };

/** Alive and not a zombie (a zombie has exited and only waits to be reaped). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls (bounded) because SIGKILL delivery and reaping finish a moment after the run rejects. */
async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) || (await readFile(path, 'utf8')).trim() === '') {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (await readFile(path, 'utf8')).trim();
}

async function targetErrorOf(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.then(
    () => new Error('the run succeeded'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TargetError);
  return error as TargetError;
}

describe('local target', () => {
  const target = createLocalTarget({ hostId: 'host-local', hostname: 'appliance', maxConcurrent: 4 });
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osiris-local-target-'));
  });

  afterAll(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns stdout, stderr and the exit code, a non-zero exit being a result', async () => {
    const ok = await target.run('echo out\necho err >&2\n', OPTIONS);
    expect(ok).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 0 });
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);

    const failed = await target.run('echo partial; exit 3', OPTIONS);
    expect(failed).toMatchObject({ stdout: 'partial\n', stderr: '', exitCode: 3 });
    expect(target.kind).toBe('local');
    expect(target.hostId).toBe('host-local');
  });

  it('gives the script a minimal environment with LC_ALL=C', async () => {
    const { stdout } = await target.run('env', OPTIONS);
    const names = stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0] ?? '');
    expect(stdout).toContain('LC_ALL=C\n');
    expect(names).toContain('PATH');
    // Only what the target sets plus what sh itself exports (PWD).
    expect(names.filter((name) => !['PATH', 'LC_ALL', 'PWD'].includes(name))).toEqual([]);
  });

  it('decodes invalid UTF-8 with replacement characters instead of failing', async () => {
    const { stdout, exitCode } = await target.run("printf '\\377\\376ok \\303\\251\\n'", OPTIONS);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('\uFFFD\uFFFDok é\n');
  });

  it('accepts output exactly at the cap', async () => {
    const { stdout } = await target.run('head -c 600 /dev/zero | tr "\\0" a; head -c 400 /dev/zero >&2', {
      ...OPTIONS,
      maxOutputBytes: 1_000,
    });
    expect(stdout).toBe('a'.repeat(600));
  });

  it('kills a script that prints too much (stdout and stderr counted together)', async () => {
    const pidFile = join(dir, 'oversize.pid');
    const script = `echo $$ > ${pidFile}\nhead -c 600 /dev/zero >&2\nwhile :; do echo 0123456789abcdef; done`;
    const error = await targetErrorOf(target.run(script, { ...OPTIONS, maxOutputBytes: 64 * 1024 }));
    expect(error.code).toBe('OUTPUT_TOO_LARGE');
    expect(error.message).toContain('65536');
    expect(await waitUntilGone(Number(await waitForFile(pidFile)))).toBe(true);
  });

  it('times out a hung script and kills its process group', async () => {
    const pidFile = join(dir, 'hung.pid');
    const startedAt = Date.now();
    const error = await targetErrorOf(target.run(`echo $$ > ${pidFile}; sleep 100`, { ...OPTIONS, timeoutMs: 500 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/appliance.*500 ms/);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(await waitUntilGone(Number(await waitForFile(pidFile)))).toBe(true);
  });

  it('kills a background child that outlives the script', async () => {
    const childFile = join(dir, 'background.pid');
    const shellFile = join(dir, 'shell.pid');
    // The shell exits at once; the background sleep keeps stdout open, so the run only ends on timeout.
    const script = `sleep 100 &\necho $! > ${childFile}\necho $$ > ${shellFile}\n`;
    const error = await targetErrorOf(target.run(script, { ...OPTIONS, timeoutMs: 1_000 }));
    expect(error.code).toBe('TIMEOUT');
    expect(await waitUntilGone(Number(await waitForFile(childFile)))).toBe(true);
    expect(await waitUntilGone(Number(await waitForFile(shellFile)))).toBe(true);
  });

  it('kills background jobs that closed their output once the script ends', async () => {
    const childFile = join(dir, 'detached-output.pid');
    const result = await target.run(`sleep 100 >/dev/null 2>&1 &\necho $! > ${childFile}\necho done`, OPTIONS);
    expect(result).toMatchObject({ stdout: 'done\n', exitCode: 0 });
    expect(await waitUntilGone(Number(await waitForFile(childFile)))).toBe(true);
  });

  it('aborts a running script through its signal', async () => {
    const pidFile = join(dir, 'aborted.pid');
    const controller = new AbortController();
    const run = target.run(`echo $$ > ${pidFile}; sleep 100`, { ...OPTIONS, signal: controller.signal });
    const pid = Number(await waitForFile(pidFile));
    controller.abort();
    expect((await targetErrorOf(run)).code).toBe('ABORTED');
    expect(await waitUntilGone(pid)).toBe(true);
  });

  it('never starts a queued run whose signal aborts while it waits', async () => {
    const single = createLocalTarget({ hostId: 'h', hostname: 'single', maxConcurrent: 1 });
    const blockerFile = join(dir, 'blocker.pid');
    const markerFile = join(dir, 'queued.marker');
    const blocker = single.run(`echo $$ > ${blockerFile}; sleep 100`, { ...OPTIONS, timeoutMs: 30_000 });
    await waitForFile(blockerFile);
    const controller = new AbortController();
    const queued = single.run(`touch ${markerFile}`, { ...OPTIONS, signal: controller.signal });
    controller.abort();
    expect((await targetErrorOf(queued)).code).toBe('ABORTED');
    await single.close();
    expect((await targetErrorOf(blocker)).code).toBe('ABORTED');
    expect(existsSync(markerFile)).toBe(false);
    expect((await targetErrorOf(single.run('true', OPTIONS))).code).toBe('ABORTED');
  });

  it('runs at most maxConcurrent scripts at once', async () => {
    const limited = createLocalTarget({ hostId: 'h', hostname: 'limited', maxConcurrent: 2 });
    // Each script prints its start and end time (ns); intervals from one clock show the overlap.
    const script = 'date +%s%N; sleep 1; date +%s%N';
    const results = await Promise.all(Array.from({ length: 6 }, () => limited.run(script, OPTIONS)));
    await limited.close();
    const events = results
      .flatMap(({ stdout }) => {
        const [start, end] = stdout.trim().split('\n').map(BigInt);
        return [
          { at: start as bigint, delta: 1 },
          { at: end as bigint, delta: -1 },
        ];
      })
      .sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1));
    let inFlight = 0;
    let maxInFlight = 0;
    for (const event of events) {
      inFlight += event.delta;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    expect(maxInFlight).toBe(2);
  });
});
