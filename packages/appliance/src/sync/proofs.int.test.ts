import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer, waitUntil } from '@osiris/central/testing';
import { hexToBytes, merkleLeafHash, type SignedTreeHead, verifyInclusion } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINUX_CHECK_IMPLEMENTATIONS } from '../checks/linux';
import { parseConfig } from '../config';
import { type RunningAppliance, startAppliance } from '../daemon/appliance';
import { createLogger } from '../log';
import { openStore } from '../store';

const checks = LINUX_CHECK_IMPLEMENTATIONS.filter((c) => c.id === 'linux.kernel.aslr');

/** The daemon fetching and verifying inclusion proofs of its evidence from a real central's Merkle log. */
describe('appliance transparency proofs against a real central', () => {
  let central: CentralServer;
  let siteId: string;
  const dirs: string[] = [];
  const running: RunningAppliance[] = [];
  /** Alters proof replies in transit when set. */
  const link = { alterProofs: null as ((body: { treeHead: SignedTreeHead | null }) => void) | null };
  const linkFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).includes('/v1/appliance/proofs') || !link.alterProofs || !response.ok) return response;
    const body = (await response.json()) as { treeHead: SignedTreeHead | null };
    link.alterProofs(body);
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };

  async function start() {
    const dir = mkdtempSync(join(tmpdir(), 'osiris-proofs-'));
    dirs.push(dir);
    const yaml = [
      `centralUrl: ${central.url}`,
      `dataDir: ${join(dir, 'data')}`,
      'hostname: proofs-test',
      `provisionCode: ${await central.provisionCode(siteId)}`,
      'targets:\n  - name: this-machine\n    kind: local',
      'checks:\n  defaultIntervalSeconds: 1\n  jitter: 0',
      'sync:\n  coalesceMs: 50\n  proofsIntervalSeconds: 0.5',
      'statusPage:\n  port: 0',
    ].join('\n');
    const appliance = await startAppliance({
      config: parseConfig(yaml, {}),
      checks,
      fetchImpl: linkFetch,
      log: createLogger('silent'),
    });
    running.push(appliance);
    return { appliance, dataDir: join(dir, 'data') };
  }

  /** Evidence of the appliance reaches central, then central issues a tree head over it. */
  async function treeHeadOver(appliance: RunningAppliance, bundles: number): Promise<void> {
    await waitUntil(
      'evidence at central',
      async () => (await central.evidence(appliance.applianceId)).length >= bundles,
    );
    central.t.clock.advance(61_000);
    expect(await central.t.services.transparency.issueTreeHead()).toBe(1);
  }

  beforeAll(async () => {
    central = await startCentralServer('pglite');
    siteId = (await central.createSite('proofs-site')).siteId;
  });
  afterAll(async () => {
    for (const appliance of running) await appliance.stop();
    await central?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a tampered tree head, then keeps verified proofs of its bundles', async () => {
    const { appliance, dataDir } = await start();
    link.alterProofs = (body) => {
      if (body.treeHead) body.treeHead.rootHash = 'ab'.repeat(32);
    };
    await treeHeadOver(appliance, 2);
    // Several rounds pass with the altered head: nothing is stored.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(appliance.status().queues.proofs.count).toBe(0);

    link.alterProofs = null;
    const summary = await waitUntil('stored proofs', async () => {
      const proofs = appliance.status().queues.proofs;
      return proofs.count >= 2 && proofs;
    });
    const page = await (await fetch(appliance.statusUrl ?? '')).text();
    expect(page).toContain('proven in central');
    await appliance.stop();

    const store = openStore(dataDir);
    try {
      const proof = store.proofs.get(1);
      expect(proof).not.toBeNull();
      if (!proof) return;
      expect(summary.treeSize).toBe(proof.treeSize);
      const ok = await verifyInclusion(
        await merkleLeafHash(hexToBytes(proof.bundleHash)),
        proof.leafIndex,
        proof.treeSize,
        proof.proof.map(hexToBytes),
        hexToBytes(proof.rootHash),
      );
      expect(ok).toBe(true);
      const stored = (await central.evidence(appliance.applianceId))[0];
      expect(proof.bundleHash).toBe(stored?.hash);
      expect(JSON.parse(store.settings.get('transparency.logKey') ?? '{}')).toEqual(
        (await central.admin.request({ method: 'GET', url: '/v1/transparency/log-key' })).json(),
      );
    } finally {
      store.close();
    }
  });
});
