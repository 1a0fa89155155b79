import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64UrlToBytes, EvidenceBundle, verifyChain } from '@osiris/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentityKey } from '../identity/identity-key';
import { openStore } from '../store';
import { boundObserved, type CheckRunResult, createEvidenceWriter } from './evidence-writer';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const result = (i: number, extra: Partial<CheckRunResult> = {}): CheckRunResult => ({
  hostId: '0193a0c2-7d3e-7a41-9f00-000000000001',
  hostname: 'web01',
  checkId: 'linux.ssh.permit-root-login',
  status: i % 2 === 0 ? 'pass' : 'fail',
  reason: `run ${i}`,
  observed: { permitRootLogin: i % 2 === 0 ? 'no' : 'yes' },
  evaluatorInput: { stdout: `permitrootlogin ${i}`, exitCode: 0 },
  startedAt: new Date(1_800_000_000_000 + i * 1000),
  finishedAt: new Date(1_800_000_000_000 + i * 1000 + 50),
  ...extra,
});

describe('evidence writer', () => {
  it('chains concurrent appends in order, signs them with the identity key, and survives a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osiris-evidence-'));
    dirs.push(dir);
    const key = await loadOrCreateIdentityKey(dir);
    const applianceId = randomUUID();
    let store = openStore(dir);
    const writer = createEvidenceWriter({ store, key, applianceId, clockOffsetMs: () => -1234 });
    const written = await Promise.all(Array.from({ length: 25 }, (_, i) => writer.append(result(i))));
    expect(written.map((w) => w.bundle.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    store.close();

    store = openStore(dir);
    const again = createEvidenceWriter({ store, key, applianceId, clockOffsetMs: () => 0 });
    await again.append(result(25));
    const pending = store.evidence.pending(500);
    expect(pending).toHaveLength(26);
    const report = await verifyChain(pending, base64UrlToBytes(key.publicKey));
    expect(report).toMatchObject({ ok: true, count: 26 });
    const first = pending[0]?.bundle;
    expect(first?.clockOffsetMs).toBe(-1234);
    expect(first?.controls).toEqual(expect.arrayContaining(['HIPAA-164.312(a)(2)(i)', 'CIS-5.2.7']));
    expect(first?.observed).toEqual({ reason: 'run 0', permitRootLogin: 'no' });
    expect(store.evidence.lastResults()).toEqual([
      expect.objectContaining({ hostname: 'web01', status: 'fail', reason: 'run 25', seq: 26 }),
    ]);
    expect(store.evidence.acknowledge(20)).toBe(20);
    expect(store.evidence.depth()).toEqual({ count: 6, firstSeq: 21 });
    store.close();
  });

  it('keeps oversized observations within the bundle limits and says what it left out', () => {
    const huge = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key${i}`, 'x'.repeat(200)]));
    const bounded = boundObserved('too much', huge);
    expect(bounded.reason).toBe('too much');
    expect(bounded.observedTruncated).toBe(true);
    expect((bounded.omittedKeys as string[]).length).toBeGreaterThan(0);
    const bundle = {
      schemaVersion: 1,
      applianceId: randomUUID(),
      seq: 1,
      prevHash: '0'.repeat(64),
      hostId: randomUUID(),
      hostname: 'h',
      checkId: 'linux.ssh.permit-root-login',
      status: 'pass',
      observed: bounded,
      evaluatorInputDigest: 'a'.repeat(64),
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      clockOffsetMs: 0,
      controls: [],
    };
    expect(EvidenceBundle.safeParse(bundle).success).toBe(true);
  });
});
