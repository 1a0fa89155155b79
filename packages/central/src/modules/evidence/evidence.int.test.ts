import { generateKeyPairSync } from 'node:crypto';
import { signBundle } from '@osiris/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createTenant, expectError } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

describe.each(testBackends)('evidence ingest on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let siteId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    siteId = (await createTenant(admin)).site.id;
  });
  afterAll(() => t.close());

  it('accepts a chain in order, stores it, keeps the latest results and verifies end to end', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const first = await appliance.next(5);
    const res = await appliance.upload([...first].reverse());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ schemaVersion: 1, acceptedThroughSeq: 5, accepted: 5, duplicates: 0 });
    expect((await appliance.upload(await appliance.next(3, 'fail'))).json()).toMatchObject({
      acceptedThroughSeq: 8,
      accepted: 3,
    });

    const verify = (
      await admin.request({ method: 'GET', url: `/v1/appliances/${appliance.applianceId}/evidence/verify` })
    ).json();
    expect(verify).toMatchObject({ ok: true, count: 8, headSeq: 8, firstBad: null });
    const page = (
      await admin.request({ method: 'GET', url: `/v1/appliances/${appliance.applianceId}/evidence?limit=3&afterSeq=2` })
    ).json();
    expect(page.items.map((i: { seq: number }) => i.seq)).toEqual([3, 4, 5]);
    expect(page.items[0].signed.hash).toBe(first[2]?.hash);
    const results = (await admin.request({ method: 'GET', url: `/v1/sites/${siteId}/results` })).json();
    expect(results.items).toHaveLength(2);
    expect(results.items.every((r: { status: string }) => r.status === 'fail')).toBe(true);
  });

  it('treats a repeated upload as a duplicate, not a second copy', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const bundles = await appliance.next(3);
    await appliance.upload(bundles);
    const again = await appliance.upload([...bundles, ...(await appliance.next(1))]);
    expect(again.json()).toMatchObject({ acceptedThroughSeq: 4, accepted: 1, duplicates: 3 });
    const stored = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM evidence_bundles WHERE appliance_id = ${appliance.applianceId}`.execute(
      t.database.db,
    );
    expect(stored.rows[0]?.n).toBe(4);
  });

  it('reports a gap and holds what comes after it until the gap is filled', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const bundles = await appliance.next(4);
    const gap = expectError(await appliance.upload([bundles[0], bundles[2], bundles[3]]), 409, 'EVIDENCE_GAP');
    expect(gap.details).toMatchObject({ acceptedThroughSeq: 1, accepted: 1, expectedSeq: 2, seq: 3 });
    expect((await appliance.upload(bundles.slice(1))).json()).toMatchObject({ acceptedThroughSeq: 4, accepted: 3 });
  });

  it('refuses tampered, mis-signed and foreign bundles with their own codes, stores nothing of them and flags the appliance', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    const [good, next] = await appliance.next(2);
    if (!good || !next) throw new Error('no bundles');
    const tampered = { ...good, bundle: { ...good.bundle, status: 'pass', observed: { value: 999 } } };
    expectError(await appliance.upload([tampered]), 422, 'EVIDENCE_BAD_HASH');
    const forged = await signBundle(
      good.bundle,
      new Uint8Array(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' })),
    );
    expectError(await appliance.upload([forged]), 422, 'EVIDENCE_BAD_SIGNATURE');
    expectError(await appliance.upload([next]), 409, 'EVIDENCE_GAP');

    const other = await registerTestAppliance(t, admin, siteId);
    // Another appliance's bundle fails on the key; one it signed itself but naming the first fails on the link.
    expectError(await other.upload([good]), 422, 'EVIDENCE_BAD_SIGNATURE');
    expectError(await other.upload([await signBundle(good.bundle, other.pkcs8)]), 409, 'EVIDENCE_BROKEN_LINK');

    const stored = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM evidence_bundles WHERE appliance_id IN (${appliance.applianceId}, ${other.applianceId})`.execute(
      t.database.db,
    );
    expect(stored.rows[0]?.n).toBe(0);
    const status = (await admin.request({ method: 'GET', url: `/v1/appliances/${appliance.applianceId}` })).json()
      .status;
    expect(status).toBe('flagged');
    const refusals = await auditWhere(admin, `&action=security.evidence_refused&targetId=${appliance.applianceId}`);
    expect(refusals.map((e) => e.details.code).sort()).toEqual(['BAD_HASH', 'BAD_SIGNATURE']);
    // A flagged appliance may still send good evidence.
    expect((await appliance.upload([good, next])).json()).toMatchObject({ acceptedThroughSeq: 2 });
  });

  it("refuses another appliance's token and a malformed batch", async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    expectError(await appliance.upload(await appliance.next(1), 'y'.repeat(43)), 401, 'UNAUTHENTICATED');
    const malformed = expectError(
      await appliance.upload([{ bundle: { seq: 1 }, hash: 'x' }]),
      400,
      'VALIDATION_FAILED',
    );
    expect(malformed.details).toMatchObject({ accepted: 0 });
    expectError(await appliance.upload([]), 400, 'VALIDATION_FAILED');
  });

  it('keeps stored evidence append-only at the database', async () => {
    const appliance = await registerTestAppliance(t, admin, siteId);
    await appliance.upload(await appliance.next(1));
    await expect(sql`UPDATE evidence_bundles SET status = 'fail'`.execute(t.database.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM evidence_bundles`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });
});
