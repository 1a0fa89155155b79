import { readFileSync } from 'node:fs';
import { createSshTarget, type HostKeyPins, type RunOptions, type Target, TargetError } from '@osiris/appliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../src/hosts/lab';
import type { LabHost } from '../src/hosts/lab-host';

const OPTIONS: RunOptions = { timeoutMs: 20_000, maxOutputBytes: 1024 * 1024 };
const CONNECT_TIMEOUT_MS = 10_000;
const PASSWORD_USER = 'osl-pw';
// Lives only inside the lab host, which is destroyed at the end.
const PASSWORD = 'Lab-only-password-7';
const SSHD_LISTENING = "grep -c 'Server listening on 0.0.0.0' /var/log/osl-sshd.log";

function createPins(): HostKeyPins & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, get: (key) => entries.get(key) ?? null, pin: (key, fingerprint) => entries.set(key, fingerprint) };
}

async function targetErrorOf(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.then(
    () => new Error('the run succeeded'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TargetError);
  return error as TargetError;
}

/** Max number of overlapping [start, end] intervals printed by scripts as two `date +%s%N` lines. */
function maxOverlap(outputs: string[]): number {
  const events = outputs
    .flatMap((stdout) => {
      const [start, end] = stdout.trim().split('\n').map(BigInt);
      return [
        { at: start as bigint, delta: 1 },
        { at: end as bigint, delta: -1 },
      ];
    })
    .sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1));
  let inFlight = 0;
  let max = 0;
  for (const event of events) {
    inFlight += event.delta;
    max = Math.max(max, inFlight);
  }
  return max;
}

describe('ssh target against a lab host', () => {
  const lab = createLab();
  const targets: Target[] = [];
  const pins = createPins();
  let host: LabHost;
  let endpoint: string;

  /** Must succeed inside the host; the lab's own exec, not the target under test. */
  async function inHost(command: string): Promise<string> {
    const result = await host.exec(command);
    if (result.exitCode !== 0) throw new Error(`${command} failed in the host: ${result.stderr}`);
    return result.stdout;
  }

  /** The host's own view of its ed25519 host key fingerprint. */
  async function hostFingerprint(): Promise<string> {
    return (await inHost('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')).split(' ')[1] ?? '';
  }

  /** Reloads sshd (SIGHUP: it re-execs and rereads config and host keys) and waits until it listens again. */
  async function reloadSshd(): Promise<void> {
    await inHost(`before=$(${SSHD_LISTENING})
      /usr/sbin/sshd -t
      kill -HUP "$(cat /run/sshd.pid)"
      i=0
      until [ "$(${SSHD_LISTENING})" -gt "$before" ]; do
        i=$((i + 1)); [ "$i" -lt 100 ] || exit 1; sleep 0.1
      done`);
  }

  /**
   * Whether every pid listed in a file inside the host has ended (a zombie waiting for the host's
   * init to reap it counts as ended); polls for up to 10 s because the kill follows the channel close.
   */
  async function isGoneInHost(pidFile: string): Promise<boolean> {
    const result = await host.exec(`for i in $(seq 100); do
        alive=0
        for p in $(cat ${pidFile}); do
          s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null) || s=
          if [ -n "$s" ] && [ "$s" != Z ]; then alive=1; fi
        done
        [ "$alive" = 0 ] && exit 0
        sleep 0.1
      done
      exit 1`);
    return result.exitCode === 0;
  }

  function keyTarget(overrides: Partial<Parameters<typeof createSshTarget>[0]> = {}): Target {
    const target = createSshTarget({
      hostId: 'host-ssh',
      hostname: host.info.name,
      host: host.info.ip,
      port: host.info.sshPort,
      username: host.info.user,
      auth: { privateKey: readFileSync(host.info.privateKeyPath) },
      pins,
      maxConcurrent: 4,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      ...overrides,
    });
    targets.push(target);
    return target;
  }

  let shared: Target;

  beforeAll(async () => {
    host = await lab.createHost();
    endpoint = `${host.info.ip}:${host.info.sshPort}`;
    shared = keyTarget();
  }, 120_000);

  afterAll(async () => {
    for (const target of targets) await target.close();
    await host?.destroy();
  }, 120_000);

  it('runs a script with key authentication and pins the host key on first use', async () => {
    expect(pins.entries.size).toBe(0);
    const result = await shared.run('hostname; id -u; echo "$LC_ALL"; echo oops >&2; exit 4', OPTIONS);
    expect(result).toMatchObject({ stdout: `${host.info.name}\n0\nC\n`, stderr: 'oops\n', exitCode: 4 });
    expect(shared.kind).toBe('ssh');
    const fingerprint = await hostFingerprint();
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect([...pins.entries]).toEqual([[endpoint, fingerprint]]);
  });

  it('runs a large script with quotes and non-ASCII text verbatim', async () => {
    // Over 128 KiB, the most a single exec argument may hold on Linux.
    const filler = `# ${'x'.repeat(100)}\n`.repeat(2_000);
    const script = `${filler}printf '%s\\n' "it's \\"quoted\\" é ✓" '$HOME'\necho tail >&2\nexit 7`;
    expect(Buffer.byteLength(script)).toBeGreaterThan(128 * 1024);
    const result = await shared.run(script, OPTIONS);
    expect(result).toMatchObject({ stdout: `it's "quoted" é ✓\n$HOME\n`, stderr: 'tail\n', exitCode: 7 });
  });

  it('reuses one connection for many runs, at most maxConcurrent at once', async () => {
    const script = 'date +%s%N; echo "$SSH_CONNECTION" >&2; sleep 1; date +%s%N';
    const results = await Promise.all(Array.from({ length: 20 }, () => shared.run(script, OPTIONS)));
    expect(results.every((result) => result.exitCode === 0)).toBe(true);
    // SSH_CONNECTION holds the client's source port: one value means one TCP connection.
    expect(new Set(results.map((result) => result.stderr)).size).toBe(1);
    // Never more than maxConcurrent (4) at once, and runs do overlap; exactly 4 is usual, but on a
    // loaded machine channel set-up can stagger the starts so that fewer overlap.
    const overlap = maxOverlap(results.map((result) => result.stdout));
    expect(overlap).toBeLessThanOrEqual(4);
    expect(overlap).toBeGreaterThanOrEqual(2);
  });

  it('times out a hung command, kills it on the host and keeps the connection usable', async () => {
    const before = (await shared.run('echo "$SSH_CONNECTION"', OPTIONS)).stdout;
    const startedAt = Date.now();
    const script = 'echo $$ > /tmp/hung.pids; sleep 100 & echo $! >> /tmp/hung.pids; wait';
    const error = await targetErrorOf(shared.run(script, { ...OPTIONS, timeoutMs: 1_000 }));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(await isGoneInHost('/tmp/hung.pids')).toBe(true);
    const after = await shared.run('echo "$SSH_CONNECTION"; echo fine', OPTIONS);
    expect(after.stdout).toBe(`${before}fine\n`);
  });

  it('fails a run that prints too much and runs the next one', async () => {
    const error = await targetErrorOf(
      shared.run('head -c 1000000 /dev/zero', { ...OPTIONS, maxOutputBytes: 64 * 1024 }),
    );
    expect(error.code).toBe('OUTPUT_TOO_LARGE');
    expect((await shared.run('echo next', OPTIONS)).stdout).toBe('next\n');
  });

  it('reconnects on the next run after the connection was dropped', async () => {
    const before = (await shared.run('echo "$SSH_CONNECTION"', OPTIONS)).stdout;
    // Every sshd but the listener serves a connection; killing them drops ours from the host's side.
    await inHost(`listener=$(cat /run/sshd.pid)
      for p in $(pgrep -x sshd); do [ "$p" = "$listener" ] || kill "$p"; done`);
    const after = await shared.run('echo "$SSH_CONNECTION"', OPTIONS);
    expect(after.exitCode).toBe(0);
    expect(after.stdout).not.toBe(before);
    expect(after.stdout.split(' ')[0]).toBe(before.split(' ')[0]);
  });

  it('reports a closed port as UNREACHABLE at once', async () => {
    const target = keyTarget({ port: 2200 });
    const error = await targetErrorOf(target.run('true', OPTIONS));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain(`${host.info.ip}:2200`);
  });

  it('reports a host that drops packets as UNREACHABLE within the connect timeout', async () => {
    await inHost('nft add rule inet filter input tcp dport 2201 drop');
    const target = keyTarget({ port: 2201, connectTimeoutMs: 1_500 });
    const startedAt = Date.now();
    const error = await targetErrorOf(target.run('true', OPTIONS));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toMatch(/1500 ms/);
    expect(Date.now() - startedAt).toBeLessThan(1_500 + 8_000);
  });

  it('aborts runs in flight on close(), kills them on the host and refuses new runs', async () => {
    const target = keyTarget();
    const running = targetErrorOf(target.run('echo $$ > /tmp/closed.pid; exec sleep 101', OPTIONS));
    // Close only once the script runs on the host.
    await expect.poll(async () => (await host.exec('test -s /tmp/closed.pid')).exitCode, { timeout: 15_000 }).toBe(0);
    await target.close();
    expect((await running).code).toBe('ABORTED');
    expect((await targetErrorOf(target.run('true', OPTIONS))).code).toBe('ABORTED');
    expect(await isGoneInHost('/tmp/closed.pid')).toBe(true);
  });

  it('authenticates with a password and refuses a wrong one', async () => {
    await inHost(`useradd -m -s /bin/sh ${PASSWORD_USER}`);
    expect((await host.exec('chpasswd', { input: `${PASSWORD_USER}:${PASSWORD}\n` })).exitCode).toBe(0);
    await inHost(
      `printf 'Match User ${PASSWORD_USER}\\n  PasswordAuthentication yes\\n  AuthenticationMethods password\\n' >> /etc/ssh/sshd_config`,
    );
    await reloadSshd();

    const byPassword = keyTarget({ username: PASSWORD_USER, auth: { password: PASSWORD } });
    expect((await byPassword.run('id -un', OPTIONS)).stdout).toBe(`${PASSWORD_USER}\n`);

    const wrong = keyTarget({ username: PASSWORD_USER, auth: { password: 'not-the-password' } });
    const error = await targetErrorOf(wrong.run('true', OPTIONS));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain(PASSWORD_USER);
    expect(error.message).not.toContain('not-the-password');
  });

  it('refuses a changed host key, reports it and runs nothing', async () => {
    const pinned = pins.get(endpoint);
    await inHost(`rm -f /etc/ssh/ssh_host_*
      ssh-keygen -q -t ed25519 -N '' -C changed -f /etc/ssh/ssh_host_ed25519_key`);
    await reloadSshd();
    const presented = await hostFingerprint();
    expect(presented).not.toBe(pinned);

    const mismatches: unknown[] = [];
    // A fresh target (as after a daemon restart) sharing the pins, so it must connect anew.
    const target = keyTarget({ onHostKeyMismatch: (info) => mismatches.push(info) });
    const error = await targetErrorOf(target.run('touch /root/ran-despite-changed-key', OPTIONS));
    expect(error.code).toBe('HOST_KEY_CHANGED');
    expect(error.message).toContain(endpoint);
    expect(error.message).toContain(`${pinned}`);
    expect(error.message).toContain(presented);
    expect(mismatches).toEqual([{ endpoint, pinned, presented }]);
    expect(pins.get(endpoint)).toBe(pinned);
    expect((await host.exec('test -e /root/ran-despite-changed-key')).exitCode).toBe(1);
  });
});
