import { hexToBytes, merkleLeafHash, merkleRoot, type TreeHeadRecord, verifyInclusion } from '@osiris/protocol';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthorizer } from '../../platform/authorize';
import { createKeyring, loadServerSecret } from '../../platform/secrets';
import { type Caller, startTestApp, type TestApp, testBackends, waitUntil } from '../../testing';
import { createTenant, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';
import { createTransparencyModule } from './index';
import { createTransparencyStore } from './transparency.store';

type Backend = (typeof testBackends)[number];

/** A test app with one tenant, and helpers reading the log's tables directly. */
function setUp(backend: Backend) {
  const ctx = {} as { t: TestApp; admin: Caller; tenant: Tenant };
  beforeAll(async () => {
    ctx.t = await startTestApp(backend);
    ctx.admin = await ctx.t.loginAs('admin');
    ctx.tenant = await createTenant(ctx.admin);
  });
  afterAll(() => ctx.t.close());
  return ctx;
}

/** Leaves in leaf order, and how many bundles still wait in the queue. */
async function logState(t: TestApp) {
  const { db } = t.database;
  const leaves = await sql<{ leaf_index: string; appliance_id: string; seq: string; bundle_hash: string }>`
    SELECT leaf_index, appliance_id, seq, bundle_hash FROM merkle_leaves ORDER BY leaf_index`.execute(db);
  const queued = await sql<{ n: string }>`SELECT count(*) AS n FROM merkle_queue`.execute(db);
  return {
    leaves: leaves.rows.map((r) => ({ ...r, leaf_index: Number(r.leaf_index), seq: Number(r.seq) })),
    queued: Number(queued.rows[0]?.n),
  };
}

/** Another replica's log writer on the same database. */
async function replicaOf(t: TestApp) {
  const module = await createTransparencyModule({
    db: t.database.db,
    keyring: createKeyring(await loadServerSecret(t.database.db, t.config.SESSION_SECRET)),
    authorize: createAuthorizer(t.database.db),
    now: t.clock.now,
  });
  return module.writer;
}

describe.each(testBackends)('transparency log queue on %s', (backend) => {
  const ctx = setUp(backend);

  it('logs every bundle of many appliances ingesting in parallel exactly once, with verifying proofs', async () => {
    const { t, admin, tenant } = ctx;
    const appliances = await Promise.all(
      Array.from({ length: 10 }, () => registerTestAppliance(t, admin, tenant.site.id)),
    );
    const batches = await Promise.all(appliances.map(async (a) => [await a.next(6), await a.next(4), await a.next(8)]));
    const replicas = [await replicaOf(t), await replicaOf(t)];
    let isUploading = true;
    // Two other replicas drain all along, racing this process's own drains after each commit.
    const draining = replicas.map(async (replica) => {
      while (isUploading) {
        await replica.drain();
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    await Promise.all(
      appliances.map(async (a, i) => {
        for (const batch of batches[i] ?? []) expect((await a.upload(batch)).statusCode).toBe(200);
      }),
    );
    isUploading = false;
    await Promise.all(draining);
    await t.services.transparency.drain();

    const { leaves, queued } = await logState(t);
    expect(queued).toBe(0);
    expect(leaves.map((l) => l.leaf_index)).toEqual(leaves.map((_, i) => i));
    const expected = appliances.flatMap((a, i) =>
      (batches[i] ?? []).flat().map((b) => `${a.applianceId}/${(b as { bundle: { seq: number } }).bundle.seq}`),
    );
    const logged = leaves.map((l) => `${l.appliance_id}/${l.seq}`);
    expect(logged).toHaveLength(expected.length);
    expect([...logged].sort()).toEqual([...expected].sort());
    for (const a of appliances) {
      // One appliance's uploads are sequential, so its leaves follow its chain.
      const seqs = leaves.filter((l) => l.appliance_id === a.applianceId).map((l) => l.seq);
      expect(seqs).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    }

    t.clock.advance(61_000);
    expect(await t.services.transparency.issueTreeHead()).toBe(1);
    const head = (await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json() as TreeHeadRecord;
    expect(head.treeSize).toBe(leaves.length);
    const root = await merkleRoot(leaves.map((l) => hexToBytes(l.bundle_hash)));
    expect(head.rootHash).toBe(Buffer.from(root).toString('hex'));
    for (const a of appliances) {
      const res = await t.anonymous.request({
        method: 'GET',
        url: '/v1/appliance/proofs?afterSeq=0&limit=500',
        headers: { authorization: `Bearer ${a.token}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      const { items } = res.json() as {
        items: { seq: number; leafIndex: number; bundleHash: string; proof: string[] }[];
      };
      expect(items.map((i) => i.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
      for (const item of items) {
        const leaf = await merkleLeafHash(hexToBytes(item.bundleHash));
        const proof = item.proof.map(hexToBytes);
        expect(await verifyInclusion(leaf, item.leafIndex, head.treeSize, proof, hexToBytes(head.rootHash))).toBe(true);
      }
    }
  }, 60_000);

  it('shares a running drain with later callers and still covers what they queued', async () => {
    const { t, admin, tenant } = ctx;
    const writer = t.services.transparency;
    const { applianceId } = await registerTestAppliance(t, admin, tenant.site.id);
    const enqueue = (first: number, count: number) =>
      t.database.db.transaction().execute((trx) =>
        writer.enqueueAccepted(
          trx,
          applianceId,
          Array.from({ length: count }, (_, k) => ({ seq: first + k, hash: randomBytes(32).toString('hex') })),
          t.clock.now(),
        ),
      );
    const before = (await logState(t)).leaves.length;
    // More than one drain transaction's worth.
    await enqueue(1, 2_500);
    const first = writer.drain();
    const queuedMeanwhile = enqueue(2_501, 7);
    await queuedMeanwhile;
    const second = writer.drain();
    if (second === first) expect(await first).toBe(2_507);
    await Promise.all([first, second]);
    const { leaves, queued } = await logState(t);
    expect(queued).toBe(0);
    expect(leaves.slice(before).map((l) => l.seq)).toEqual(Array.from({ length: 2_507 }, (_, i) => i + 1));
    // Two calls in the same turn always share one run.
    const [a, b] = [writer.drain(), writer.drain()];
    expect(b).toBe(a);
    expect(await a).toBe(0);
  }, 60_000);

  it('drops a queued bundle that is already a leaf instead of logging it twice', async () => {
    const { t, admin, tenant } = ctx;
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    await appliance.upload(await appliance.next(2));
    await t.services.transparency.drain();
    const before = await logState(t);
    await sql`INSERT INTO merkle_queue (appliance_id, seq, bundle_hash, queued_at)
      SELECT appliance_id, seq, bundle_hash, now() FROM merkle_leaves
      WHERE appliance_id = ${appliance.applianceId} AND seq = 2`.execute(t.database.db);
    expect(await t.services.transparency.drain()).toBe(1);
    expect(await logState(t)).toEqual({ leaves: before.leaves, queued: 0 });
  });

  it('answers the ingest when the drain after it fails, logs the failure, and logs the bundles later', async () => {
    const { t, admin, tenant } = ctx;
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    const { db } = t.database;
    // An entry the log cannot take (its hash is already a leaf's): every drain fails until it is gone.
    await sql`INSERT INTO merkle_queue (appliance_id, seq, bundle_hash, queued_at)
      SELECT ${appliance.applianceId}, 1000000, bundle_hash, now() FROM merkle_leaves LIMIT 1`.execute(db);
    const warn = vi.spyOn(t.app.log, 'warn');
    try {
      const res = await appliance.upload(await appliance.next(2));
      expect(res.statusCode, res.body).toBe(200);
      await waitUntil('the failed drain logged', () =>
        warn.mock.calls.some((call) => call[1] === 'transparency log drain failed'),
      );
      await expect(t.services.transparency.drain()).rejects.toThrow(/unique|duplicate/i);
    } finally {
      warn.mockRestore();
      await sql`DELETE FROM merkle_queue WHERE seq = 1000000`.execute(db);
    }
    await t.services.transparency.drain();
    const { leaves, queued } = await logState(t);
    expect(queued).toBe(0);
    expect(leaves.filter((l) => l.appliance_id === appliance.applianceId).map((l) => l.seq)).toEqual([1, 2]);
  });
});

// Only a real server lets another connection hold the log lock while an ingest runs; PGlite is one connection.
describe.each(testBackends.filter((backend) => backend === 'postgres'))('transparency log lock on %s', (backend) => {
  const ctx = setUp(backend);

  it('accepts evidence while the log lock is held elsewhere, and the backfill leaves queued bundles alone', async () => {
    const { t, admin, tenant } = ctx;
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let isLocked = () => {};
    const locked = new Promise<void>((resolve) => {
      isLocked = resolve;
    });
    // Another replica in the middle of an append.
    const holder = t.database.db.transaction().execute(async (trx) => {
      await createTransparencyStore().lockLog(trx);
      isLocked();
      await released;
    });
    try {
      await locked;
      const res = await appliance.upload(await appliance.next(3));
      expect(res.statusCode, res.body).toBe(200);
      const { leaves, queued } = await logState(t);
      expect(leaves.filter((l) => l.appliance_id === appliance.applianceId)).toEqual([]);
      expect(queued).toBe(3);
      // Queued, so not "evidence older than the log": the backfill queues nothing more.
      expect(await (await replicaOf(t)).backfill()).toBe(0);
    } finally {
      release();
      await holder;
    }
    await t.services.transparency.drain();
    const { leaves, queued } = await logState(t);
    expect(queued).toBe(0);
    expect(leaves.filter((l) => l.appliance_id === appliance.applianceId).map((l) => l.seq)).toEqual([1, 2, 3]);
  });
});
