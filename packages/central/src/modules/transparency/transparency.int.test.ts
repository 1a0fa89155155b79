import {
  base64UrlToBytes,
  hexToBytes,
  merkleLeafHash,
  merkleRoot,
  type TreeHeadRecord,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from '@osiris/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import { createTenant, expectError, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

const MINUTE_MS = 61_000;

async function verifyProof(
  bundleHash: string,
  leafIndex: number,
  proof: string[],
  head: { treeSize: number; rootHash: string },
): Promise<boolean> {
  return verifyInclusion(
    await merkleLeafHash(hexToBytes(bundleHash)),
    leafIndex,
    head.treeSize,
    proof.map(hexToBytes),
    hexToBytes(head.rootHash),
  );
}

/** Every leaf's bundle hash, in leaf order. */
async function loggedHashes(t: TestApp): Promise<string[]> {
  const { rows } = await sql<{ bundle_hash: string }>`
    SELECT bundle_hash FROM merkle_leaves ORDER BY leaf_index`.execute(t.database.db);
  return rows.map((r) => r.bundle_hash);
}

async function issue(t: TestApp): Promise<number> {
  t.clock.advance(MINUTE_MS);
  return t.services.transparency.issueTreeHead();
}

describe.each(testBackends)('transparency log on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let tenant: Tenant;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    tenant = await createTenant(admin);
  });
  afterAll(() => t.close());

  it('issues verifiable heads and proofs for every tree size from 1 to 70', async () => {
    expect(await issue(t)).toBe(0);
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    const hashes: string[] = [];
    for (let size = 1; size <= 70; size++) {
      const [bundle] = await appliance.next(1);
      expect((await appliance.upload([bundle])).statusCode).toBe(200);
      hashes.push((bundle as { hash: string }).hash);
      expect(await issue(t)).toBe(1);
    }
    expect(await loggedHashes(t)).toEqual(hashes);
    const heads: TreeHeadRecord[] = [];
    for (let size = 1; size <= 70; size++) {
      const res = await admin.request({ method: 'GET', url: `/v1/tree-heads/${size}` });
      expect(res.statusCode, res.body).toBe(200);
      heads.push(res.json());
    }
    for (const head of heads) {
      const root = await merkleRoot(hashes.slice(0, head.treeSize).map(hexToBytes));
      expect(head.rootHash).toBe(Buffer.from(root).toString('hex'));
      for (const seq of new Set([1, Math.ceil(head.treeSize / 2), head.treeSize])) {
        const res = await admin.request({
          method: 'GET',
          url: `/v1/appliances/${appliance.applianceId}/evidence/${seq}/inclusion?treeSize=${head.treeSize}`,
        });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body).toMatchObject({ seq, leafIndex: seq - 1, bundleHash: hashes[seq - 1] });
        expect(await verifyProof(body.bundleHash, body.leafIndex, body.proof, head)).toBe(true);
        // The same proof does not fit another leaf.
        const otherLeaf = hashes[seq === 1 ? 1 : 0] as string;
        expect(await verifyProof(otherLeaf, body.leafIndex, body.proof, head)).toBe(false);
      }
    }
    for (const [first, second] of [
      [1, 70],
      [3, 7],
      [7, 8],
      [13, 64],
      [64, 65],
      [33, 33],
      [21, 69],
    ] as const) {
      const res = await admin.request({
        method: 'GET',
        url: `/v1/tree-heads/consistency?first=${first}&second=${second}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      const { proof } = res.json() as { proof: string[] };
      const [a, b] = [heads[first - 1] as TreeHeadRecord, heads[second - 1] as TreeHeadRecord];
      const args = [first, second, hexToBytes(a.rootHash), hexToBytes(b.rootHash), proof.map(hexToBytes)] as const;
      expect(await verifyConsistency(...args)).toBe(true);
      if (first !== second)
        expect(await verifyConsistency(first, second, hexToBytes(b.rootHash), hexToBytes(a.rootHash), args[4])).toBe(
          false,
        );
    }
    expectError(
      await admin.request({ method: 'GET', url: '/v1/tree-heads/consistency?first=9&second=4' }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await admin.request({ method: 'GET', url: '/v1/tree-heads/71' }), 404, 'NOT_FOUND');
  });

  it('signs tree heads with the published log key, and a tampered head fails', async () => {
    const key = (await admin.request({ method: 'GET', url: '/v1/transparency/log-key' })).json();
    expect(key).toMatchObject({ algorithm: 'ed25519', keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const latest = (await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json() as TreeHeadRecord;
    const publicKey = base64UrlToBytes(key.publicKey);
    expect(latest).toMatchObject({ treeSize: 70, keyId: key.keyId, tsaToken: null, tsaError: null });
    expect(await verifyTreeHead(latest, publicKey)).toBe(true);
    expect(await verifyTreeHead({ ...latest, treeSize: 71 }, publicKey)).toBe(false);
    expect(await verifyTreeHead({ ...latest, rootHash: '0'.repeat(64) }, publicKey)).toBe(false);
    expect(await verifyTreeHead({ ...latest, issuedAt: new Date(0).toISOString() }, publicKey)).toBe(false);
    expect(await verifyTreeHead(latest, base64UrlToBytes(latest.signature).slice(0, 32))).toBe(false);
    const page = (await admin.request({ method: 'GET', url: '/v1/tree-heads?limit=30' })).json();
    expect(page.items.map((h: TreeHeadRecord) => h.treeSize)).toEqual(Array.from({ length: 30 }, (_, i) => 70 - i));
    const next = (
      await admin.request({ method: 'GET', url: `/v1/tree-heads?limit=50&cursor=${page.nextCursor}` })
    ).json();
    expect(next.items.map((h: TreeHeadRecord) => h.treeSize)).toEqual(Array.from({ length: 40 }, (_, i) => 40 - i));
    expect(next.nextCursor).toBeNull();
  });

  it('issues no tree head without new leaves, nor within a minute of the last', async () => {
    expect(await issue(t)).toBe(0);
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    await appliance.upload(await appliance.next(2));
    expect(await issue(t)).toBe(1);
    await appliance.upload(await appliance.next(1));
    expect(await t.services.transparency.issueTreeHead()).toBe(0);
    expect(await issue(t)).toBe(1);
    expect(await issue(t)).toBe(0);
    const head = (await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json();
    expect(head.treeSize).toBe(73);
  });

  it('keeps one consistent log under concurrent uploads from four appliances', async () => {
    const before = (await loggedHashes(t)).length;
    const appliances = await Promise.all([1, 2, 3, 4].map(() => registerTestAppliance(t, admin, tenant.site.id)));
    const batches = await Promise.all(appliances.map(async (a) => [await a.next(7), await a.next(5), await a.next(9)]));
    await Promise.all(
      appliances.map(async (a, i) => {
        for (const batch of batches[i] ?? []) expect((await a.upload(batch)).statusCode).toBe(200);
      }),
    );
    expect(await issue(t)).toBe(1);
    const hashes = await loggedHashes(t);
    expect(hashes).toHaveLength(before + 4 * 21);
    expect(new Set(hashes).size).toBe(hashes.length);
    const head = (await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json() as TreeHeadRecord;
    expect(head.rootHash).toBe(Buffer.from(await merkleRoot(hashes.map(hexToBytes))).toString('hex'));
    for (const appliance of appliances) {
      const res = await t.anonymous.request({
        method: 'GET',
        url: '/v1/appliance/proofs?afterSeq=3&limit=10',
        headers: { authorization: `Bearer ${appliance.token}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      const { tsaTime: _t, tsaToken: _k, tsaError: _e, ...signedHead } = head;
      expect(body.treeHead).toEqual(signedHead);
      expect(body.items.map((i: { seq: number }) => i.seq)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      expect(body.nextAfterSeq).toBe(13);
      const indexes = body.items.map((i: { leafIndex: number }) => i.leafIndex);
      expect([...indexes].sort((x, y) => x - y)).toEqual(indexes);
      for (const item of body.items)
        expect(await verifyProof(item.bundleHash, item.leafIndex, item.proof, head)).toBe(true);
    }
  });

  it('answers an inclusion proof only to those who reach the appliance', async () => {
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    await appliance.upload(await appliance.next(1));
    const url = `/v1/appliances/${appliance.applianceId}/evidence/1/inclusion`;
    expectError(await admin.request({ method: 'GET', url }), 404, 'NOT_FOUND'); // not in a tree head yet
    expect(await issue(t)).toBe(1);
    const other = await createTenant(admin);
    const outsider = await signInAs(t, { role: 'practice_owner', practiceId: other.practice.id });
    const insider = await signInAs(t, { role: 'practice_viewer', practiceId: tenant.practice.id });
    expect((await insider.request({ method: 'GET', url })).statusCode).toBe(200);
    expectError(await outsider.request({ method: 'GET', url }), 404, 'NOT_FOUND');
    expect((await t.anonymous.request({ method: 'GET', url })).statusCode).toBe(401);
    expect((await outsider.request({ method: 'GET', url: '/v1/tree-heads/latest' })).statusCode).toBe(200);
    expectError(await insider.request({ method: 'GET', url: `${url.replace('/1/', '/2/')}` }), 404, 'NOT_FOUND');
  });

  it('refuses to change or delete the log, and fills a timestamp only once', async () => {
    const { db } = t.database;
    await expect(sql`UPDATE merkle_leaves SET seq = seq + 1000`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM merkle_nodes`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM tree_heads WHERE tree_size = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE tree_heads SET root_hash = 'x' WHERE tree_size = 1`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await sql`UPDATE tree_heads SET tsa_error = 'unreachable' WHERE tree_size = 1`.execute(db);
    await expect(sql`UPDATE tree_heads SET tsa_error = 'again' WHERE tree_size = 1`.execute(db)).rejects.toThrow(
      /append-only/,
    );
  });
});
