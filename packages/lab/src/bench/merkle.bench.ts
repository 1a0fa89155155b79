import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { newApplianceIdentity, registrationRequest, startTestApp, type TestApp } from '@osiris/central/testing';
import { hexToBytes, type InclusionProofResponse, merkleLeafHash, verifyInclusion } from '@osiris/protocol';
import { argValue, backendOf } from './ingest.bench';

/** Registers an appliance over HTTP; its id is what leaves of the log name. */
async function registerAppliance(t: TestApp, siteId: string, index: number): Promise<string> {
  const admin = await t.loginAs('admin');
  const { code } = (
    await admin.request({ method: 'POST', url: `/v1/sites/${siteId}/provision-codes`, payload: {} })
  ).json();
  const res = await t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/register',
    payload: registrationRequest(newApplianceIdentity(), code, { hostname: `merkle-${index}` }),
  });
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
  return (res.json() as { applianceId: string }).applianceId;
}

async function createSite(t: TestApp): Promise<string> {
  const admin = await t.loginAs('admin');
  const post = async (url: string, payload: Record<string, unknown>) =>
    ((await admin.request({ method: 'POST', url, payload })).json() as { id: string }).id;
  const partnerId = await post('/v1/partners', { name: 'Merkle bench', slug: `merkle-${Date.now().toString(36)}` });
  const practiceId = await post('/v1/practices', { partnerId, name: 'Merkle bench' });
  return post('/v1/sites', { practiceId, name: 'Merkle bench' });
}

/**
 * The transparency log alone: leaves appended per second from `--appliances` concurrent writers in
 * batches of `--batch`, as the ingest feeds it: each batch is queued in its own transaction (the log's
 * part of every ingest) and a coalesced drain follows each commit (under the lock: leaf hashes, the
 * right-edge read, subtree hashes, the leaf and node inserts, the dequeue, commit); the clock stops
 * when the queue is empty. Then inclusion proofs served per second over HTTP
 * (auth, tenant check, O(log n) node reads) with `--concurrency` requests in flight. Every served
 * proof is checked against the signed head afterwards, outside the timing.
 * Options: --leaves N (default 20000), --proofs M (default 2000), --batch N (default 500),
 * --appliances N (default 4), --concurrency N (default 8), --db pglite|postgres (as the ingest bench).
 */
export async function runMerkleBench(args: string[]): Promise<void> {
  const total = argValue(args, '--leaves', 20_000);
  const proofCount = argValue(args, '--proofs', 2_000);
  const batch = argValue(args, '--batch', 500);
  const applianceCount = argValue(args, '--appliances', 4);
  const concurrency = argValue(args, '--concurrency', 8);
  const backend = await backendOf(args);
  const t = await startTestApp(backend);
  try {
    const siteId = await createSite(t);
    const applianceIds: string[] = [];
    for (let i = 0; i < applianceCount; i++) applianceIds.push(await registerAppliance(t, siteId, i));
    const log = t.services.transparency;
    const perAppliance = Math.ceil(total / applianceCount);
    const nextSeq = applianceIds.map(() => 1);
    let appended = 0;
    const drains: Promise<number>[] = [];
    const appendStart = performance.now();
    await Promise.all(
      applianceIds.map(async (applianceId, i) => {
        while ((nextSeq[i] as number) <= perAppliance && appended < total) {
          const first = nextSeq[i] as number;
          const count = Math.min(batch, perAppliance - first + 1, total - appended);
          appended += count;
          nextSeq[i] = first + count;
          const bundles = Array.from({ length: count }, (_, k) => ({
            seq: first + k,
            hash: randomBytes(32).toString('hex'),
          }));
          await t.database.db
            .transaction()
            .execute((trx) => log.enqueueAccepted(trx, applianceId, bundles, t.clock.now()));
          drains.push(log.drain());
          if (appended % 5_000 < count) process.stderr.write(`appended ${appended}/${total}\n`);
        }
      }),
    );
    await Promise.all(drains);
    await log.drain();
    const appendMs = performance.now() - appendStart;
    t.clock.advance(61_000);
    if ((await log.issueTreeHead()) !== 1) throw new Error('no tree head was issued');
    const admin = await t.loginAs('admin');
    const targets = Array.from({ length: proofCount }, (_, i) => {
      const a = i % applianceCount;
      return { applianceId: applianceIds[a] as string, seq: 1 + ((i * 7919) % ((nextSeq[a] as number) - 1)) };
    });
    const served: InclusionProofResponse[] = [];
    let cursor = 0;
    const proofStart = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (cursor < targets.length) {
          const target = targets[cursor++] as (typeof targets)[number];
          const url = `/v1/appliances/${target.applianceId}/evidence/${target.seq}/inclusion`;
          const res = await admin.request({ method: 'GET', url });
          if (res.statusCode !== 200) throw new Error(`inclusion: ${res.statusCode} ${res.body}`);
          served.push(res.json() as InclusionProofResponse);
          if (served.length % 1_000 === 0) process.stderr.write(`served ${served.length}/${proofCount} proofs\n`);
        }
      }),
    );
    const proofMs = performance.now() - proofStart;
    for (const p of served) {
      const ok = await verifyInclusion(
        await merkleLeafHash(hexToBytes(p.bundleHash)),
        p.leafIndex,
        p.treeHead.treeSize,
        p.proof.map(hexToBytes),
        hexToBytes(p.treeHead.rootHash),
      );
      if (!ok) throw new Error(`proof of leaf ${p.leafIndex} does not verify`);
    }
    const report = {
      backend,
      leaves: appended,
      appliances: applianceCount,
      batch,
      leavesPerSec: Math.round(appended / (appendMs / 1000)),
      proofs: served.length,
      concurrency,
      proofsPerSec: Math.round(served.length / (proofMs / 1000)),
      proofNodes: served[0]?.proof.length ?? 0,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await t.close();
  }
}
