import {
  base64UrlToBytes,
  bytesToHex,
  type SignedEvidenceBundle,
  sha256,
  treeHeadSigningInput,
  verifyTimestampToken,
} from '@osiris/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../platform/authorize';
import { createKeyring, loadServerSecret } from '../../platform/secrets';
import { type Caller, startTestApp, startTestTsaServer, type TestApp, testBackends } from '../../testing';
import { createTenant, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';
import type { Timestamper } from '../timestamps';
import { createTransparencyModule } from './index';

describe.each(testBackends)('transparency backfill and timestamps on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let tenant: Tenant;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    tenant = await createTenant(admin);
  });
  afterAll(() => t.close());

  const leaves = async () =>
    (
      await sql<{ appliance_id: string; seq: string }>`
        SELECT appliance_id, seq FROM merkle_leaves ORDER BY leaf_index`.execute(t.database.db)
    ).rows.map((r) => `${r.appliance_id}/${Number(r.seq)}`);

  /** A second module on the same database, as another replica with a time-stamping authority would be. */
  const replicaWith = async (timestamper: Timestamper) =>
    createTransparencyModule({
      db: t.database.db,
      keyring: createKeyring(await loadServerSecret(t.database.db, t.config.SESSION_SECRET)),
      authorize: createAuthorizer(t.database.db),
      timestamper,
      now: t.clock.now,
    });

  it('backfills evidence stored before the log, in (received_at, appliance, seq) order, once', async () => {
    const [x, y] = [
      await registerTestAppliance(t, admin, tenant.site.id),
      await registerTestAppliance(t, admin, tenant.site.id),
    ];
    /** Evidence as it was stored before the log existed: rows and chain head, no leaves. */
    const old = async (appliance: typeof x, count: number, at: string) => {
      const signed = (await appliance.next(count)) as SignedEvidenceBundle[];
      const { db } = t.database;
      for (const { bundle, hash, signature } of signed)
        await sql`
          INSERT INTO evidence_bundles (appliance_id, seq, hash, prev_hash, signature, host_id, hostname, check_id,
            status, finished_at, received_at, bundle)
          VALUES (${appliance.applianceId}, ${bundle.seq}, ${hash}, ${bundle.prevHash}, ${signature}, ${bundle.hostId},
            ${bundle.hostname}, ${bundle.checkId}, ${bundle.status}, ${bundle.finishedAt}, ${at},
            ${JSON.stringify(bundle)}::jsonb)`.execute(db);
      const last = signed.at(-1) as SignedEvidenceBundle;
      await sql`INSERT INTO evidence_chain_heads (appliance_id, seq, hash)
        VALUES (${appliance.applianceId}, ${last.bundle.seq}, ${last.hash})`.execute(db);
    };
    await old(x, 3, '2026-01-02T10:00:00Z');
    await old(y, 2, '2026-01-02T09:00:00Z');
    expect(await leaves()).toEqual([]);
    expect(await t.services.transparency.backfill()).toBe(5);
    const [ix, iy] = [x.applianceId, y.applianceId];
    expect(await leaves()).toEqual([`${iy}/1`, `${iy}/2`, `${ix}/1`, `${ix}/2`, `${ix}/3`]);
    expect(await t.services.transparency.backfill()).toBe(0);
    await x.upload(await x.next(1));
    await t.services.transparency.drain();
    expect((await leaves()).at(-1)).toBe(`${ix}/4`);
    t.clock.advance(61_000);
    expect(await t.services.transparency.issueTreeHead()).toBe(1);
    const proof = await admin.request({ method: 'GET', url: `/v1/appliances/${iy}/evidence/2/inclusion` });
    expect(proof.json()).toMatchObject({ leafIndex: 1, treeHead: { treeSize: 6 } });
  });

  it('timestamps the signed bytes of a new head when a time-stamping authority is configured', async () => {
    const digests: Uint8Array[] = [];
    const time = new Date('2026-03-04T05:06:07.000Z');
    const replica = await replicaWith({
      stamp: async (digest) => {
        digests.push(digest);
        return { token: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]), time };
      },
    });
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    await appliance.upload(await appliance.next(2));
    t.clock.advance(61_000);
    expect(await replica.runJob()).toBe(1);
    const head = (await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json();
    expect(head).toMatchObject({ treeSize: 8, tsaTime: time.toISOString(), tsaToken: 'MAMCAQc', tsaError: null });
    const { treeSize, rootHash, issuedAt, keyId } = head;
    expect(digests.map(bytesToHex)).toEqual([
      bytesToHex(await sha256(treeHeadSigningInput({ treeSize, rootHash, issuedAt, keyId }))),
    ]);
  });

  it('stores the head and the reason when timestamping fails', async () => {
    const replica = await replicaWith({
      stamp: async () => {
        throw new Error('TSA unreachable: connect ECONNREFUSED');
      },
    });
    const appliance = await registerTestAppliance(t, admin, tenant.site.id);
    await appliance.upload(await appliance.next(1));
    t.clock.advance(61_000);
    expect(await replica.runJob()).toBe(1);
    const head = (await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json();
    expect(head).toMatchObject({
      treeSize: 9,
      tsaTime: null,
      tsaToken: null,
      tsaError: 'TSA unreachable: connect ECONNREFUSED',
    });
  });

  it('has a real RFC 3161 authority (openssl ts on loopback) timestamp a head, and the token verifies', async () => {
    const tsa = await startTestTsaServer();
    const withTsa = await startTestApp(backend, { TSA_URL: tsa.url, TSA_TRUSTED_CERTS_FILE: tsa.trustedCertsFile });
    try {
      const staff = await withTsa.loginAs('admin');
      const site = (await createTenant(staff)).site.id;
      const appliance = await registerTestAppliance(withTsa, staff, site);
      await appliance.upload(await appliance.next(3));
      expect(await withTsa.services.transparency.issueTreeHead()).toBe(1);
      const head = (await staff.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json();
      expect(head).toMatchObject({ treeSize: 3, tsaError: null });
      const { treeSize, rootHash, issuedAt, keyId } = head;
      const digest = await sha256(treeHeadSigningInput({ treeSize, rootHash, issuedAt, keyId }));
      const token = base64UrlToBytes(head.tsaToken);
      const verified = await verifyTimestampToken(token, digest, { certificates: [tsa.caCertDer] });
      expect(verified).toMatchObject({ ok: true });
      expect(verified.ok && verified.time.toISOString()).toBe(head.tsaTime);
      // The token is for this head only: another head's digest does not verify.
      const other = await sha256(treeHeadSigningInput({ treeSize: treeSize + 1, rootHash, issuedAt, keyId }));
      expect((await verifyTimestampToken(token, other, { certificates: [tsa.caCertDer] })).ok).toBe(false);
      expect(tsa.requests.length).toBeGreaterThanOrEqual(1);
    } finally {
      await withTsa.close();
      await tsa.close();
    }
  }, 60_000);
});
