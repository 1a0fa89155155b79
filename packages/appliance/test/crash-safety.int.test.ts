import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CentralServer, startCentralServer, testBackends } from '@osiris/central/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/osiris-appliance.mjs');
const KILLS = 12;

/** Starts the real daemon as its own process; resolves once it prints that it is running. */
function startDaemon(configPath: string): Promise<ChildProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`daemon did not start: ${out} ${err}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(' running')) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before it was running: ${err}`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );

/** Reads the appliance's chain head and outbox from its database (WAL: safe beside a running daemon). */
function localState(dataDir: string) {
  const store = openStore(dataDir);
  try {
    return { head: store.evidence.head(), outbox: store.evidence.depth().count };
  } finally {
    store.close();
  }
}

/**
 * `kill -9` of the appliance at random points of its cycle (checks running, bundles being signed
 * and stored, uploads and check-ins in flight), 20 times, restarting it each time. Afterwards
 * central holds every bundle the appliance ever made exactly once, and the chain verifies end to end.
 */
describe.each([testBackends.at(-1) ?? 'pglite'])('appliance crash safety (central on %s)', (backend) => {
  let central: CentralServer;
  let dir: string;

  beforeAll(async () => {
    central = await startCentralServer(backend);
    dir = mkdtempSync(join(tmpdir(), 'osiris-crash-'));
  });
  afterAll(async () => {
    await central?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses and duplicates nothing across ${KILLS} kill -9s`, async () => {
    const { siteId } = await central.createSite('crash-site');
    const dataDir = join(dir, 'data');
    const configPath = join(dir, 'appliance.yaml');
    writeFileSync(
      configPath,
      [
        `centralUrl: ${central.url}`,
        `dataDir: ${dataDir}`,
        `provisionCode: ${await central.provisionCode(siteId)}`,
        'logLevel: silent',
        'checkinIntervalSeconds: 1',
        'targets:\n  - name: this-machine\n    kind: local',
        // Fast read-only checks every second, so every kill lands in the middle of work.
        'checks:\n  defaultIntervalSeconds: 1\n  jitter: 0.3\n  disabled: [linux.files.world-writable, linux.files.unowned, linux.patch.security-updates, linux.patch.age, linux.integrity.aide]',
        'sync:\n  backoffInitialSeconds: 0.05\n  backoffMaxSeconds: 0.3\n  coalesceMs: 50',
        'statusPage:\n  enabled: false',
      ].join('\n'),
    );
    const heads: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const child = await startDaemon(configPath);
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1800));
      child.kill('SIGKILL');
      await exited(child);
      heads.push(localState(dataDir).head.seq);
    }
    // The chain only grows, across every crash.
    expect(heads.every((seq, i) => i === 0 || seq >= (heads[i - 1] ?? 0))).toBe(true);
    expect(heads.at(-1)).toBeGreaterThan(KILLS);

    // One clean run drains whatever the crashes left in the outbox.
    const child = await startDaemon(configPath);
    const deadline = Date.now() + 60_000;
    while (localState(dataDir).outbox > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await exited(child);
    expect({ exitCode: child.exitCode, signal: child.signalCode }).toEqual({ exitCode: 0, signal: null });
    const final = localState(dataDir);
    expect(final.outbox).toBe(0);

    const registration = (() => {
      const store = openStore(dataDir);
      try {
        return store.registration.get();
      } finally {
        store.close();
      }
    })();
    const applianceId = registration?.applianceId ?? '';
    const evidence = await central.evidence(applianceId);
    expect(evidence.map((e) => e.seq)).toEqual(Array.from({ length: final.head.seq }, (_, i) => i + 1));
    expect(new Set(evidence.map((e) => e.hash)).size).toBe(evidence.length);
    expect(evidence.at(-1)?.hash).toBe(final.head.hash);
    const report = await central.verifyChain(applianceId);
    expect(report).toMatchObject({ ok: true, count: final.head.seq, headHash: final.head.hash });
  }, 300_000);
});
