import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  base64UrlToBytes,
  EXPORT_PATHS,
  EXPORT_SIGNING_PREFIX,
  exportFilesFromMap,
  ExportConsistency,
  ExportManifest,
  ExportTreeHead,
  hexToBytes,
  type LeafProof,
  LogKey,
  merkleLeafHash,
  REGISTRATION_SIGNING_PREFIX,
  RegistrationRecord,
  type SignedEvidenceBundle,
  sha256,
  treeHeadSigningInput,
  verifyChain,
  unzipExport,
  verifyConsistency,
  verifyExport,
  verifyInclusion,
  verifyLogKeySignature,
  verifyTimestampToken,
  verifyTreeHead,
} from '@osiris/protocol';
import { unzipSync } from 'fflate';
import { TAMPER_CASES } from 'osiris-verify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../platform/context';
import {
  type Caller,
  createChainWriter,
  signInAs,
  startTestApp,
  startTestTsaServer,
  type TestApp,
  type TestTsaServer,
  testBackends,
} from '../../testing';
import { createOk, createTenant, expectError, newPassword, type Tenant, uniqueEmail } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

/** Debian's openssl, the auditor's own cross-check of a timestamp token. */
const OPENSSL = 'openssl';

const DAY_MS = 86_400_000;
type Appliance = Awaited<ReturnType<typeof registerTestAppliance>>;
type Files = Record<string, Uint8Array>;

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const json = (files: Files, path: string): unknown => JSON.parse(text(files[path]));
const lines = (files: Files, path: string): unknown[] =>
  text(files[path])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(testBackends)('auditor evidence export on %s', (backend) => {
  let t: TestApp;
  let tsa: TestTsaServer;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let x: Appliance;
  let y: Appliance;
  let idle: Appliance;
  let z: Appliance;
  let from: string;
  let to: string;
  let insideMonth: string;
  let outsideMonth: string;
  let siteA2: { id: string };
  let noHeadAnswer: { statusCode: number; body: string };
  const uploaded = new Map<string, SignedEvidenceBundle[]>();

  /** Signs bundles that finished now (by the test clock) or at `at`, and uploads them. */
  function writerFor(appliance: Appliance) {
    let at: number | null = null;
    const next = createChainWriter(appliance.applianceId, appliance.pkcs8, {
      fieldsOf: () => {
        const iso = new Date(at ?? t.clock.now().getTime()).toISOString();
        return { startedAt: iso, finishedAt: iso };
      },
    });
    return async (count: number, finishedAt: number | null = null) => {
      at = finishedAt;
      const signed = await next(count);
      const res = await appliance.upload(signed);
      expect(res.statusCode, res.body).toBe(200);
      uploaded.set(appliance.applianceId, [...(uploaded.get(appliance.applianceId) ?? []), ...signed]);
    };
  }

  const issue = async () => {
    t.clock.advance(61_000);
    expect(await t.services.transparency.issueTreeHead()).toBe(1);
  };

  beforeAll(async () => {
    tsa = await startTestTsaServer();
    t = await startTestApp(backend, { TSA_URL: tsa.url, TSA_TRUSTED_CERTS_FILE: tsa.trustedCertsFile });
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    siteA2 = await createOk<{ id: string }>(admin, '/v1/sites', { practiceId: a.practice.id, name: 'Annex' });
    x = await registerTestAppliance(t, admin, a.site.id);
    y = await registerTestAppliance(t, admin, siteA2.id);
    idle = await registerTestAppliance(t, admin, a.site.id);
    z = await registerTestAppliance(t, admin, b.site.id);
    noHeadAnswer = await admin.request({ method: 'GET', url: `/v1/practices/${a.practice.id}/evidence-export` });

    // Noon UTC of the next day, so the heads below fall on known days.
    const now = t.clock.now();
    const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 12);
    t.clock.advance(day0 - now.getTime());
    const monthStart = Date.UTC(new Date(day0).getUTCFullYear(), new Date(day0).getUTCMonth() - 1, 1);
    from = new Date(monthStart).toISOString();
    insideMonth = from.slice(0, 7);
    outsideMonth = new Date(Date.UTC(new Date(day0).getUTCFullYear(), new Date(day0).getUTCMonth() - 3, 1))
      .toISOString()
      .slice(0, 7);
    const [wx, wy, wz] = [writerFor(x), writerFor(y), writerFor(z)];

    await wx(2, monthStart - DAY_MS); // before the period
    await wx(3);
    await wy(2);
    await wz(3);
    await issue(); // size 10, day 0
    t.clock.advance(DAY_MS);
    await wx(2);
    await wy(1);
    await issue(); // size 13, first of day 1
    await wx(1);
    await wz(1);
    await issue(); // size 15, day 1 again
    t.clock.advance(DAY_MS);
    await wx(1);
    await issue(); // size 16, day 2: the last head
    await wx(2); // after the last head: not in the export
    to = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    // The clock moved past the first session's lifetime: a new platform admin session.
    const email = uniqueEmail('export-admin');
    const password = newPassword();
    await t.createUser('admin', email, password);
    admin = await t.login(email, password);
    for (const month of [insideMonth, outsideMonth])
      await t.services.packets.create(SYSTEM_ACTOR, a.practice.id, month);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await tsa?.close();
  });

  const exportUrl = (practiceId: string, query = `?from=${from}&to=${to}`) =>
    `/v1/practices/${practiceId}/evidence-export${query}`;

  it('answers 409 while no tree head exists', () => {
    expect(noHeadAnswer.statusCode).toBe(409);
    expect(JSON.parse(noHeadAnswer.body).error).toMatchObject({ code: 'CONFLICT' });
    expect(JSON.parse(noHeadAnswer.body).error.message).toMatch(/tree head/);
  });

  it("exports the practice's evidence as a ZIP every part of which verifies", async () => {
    const auditor = await signInAs(t, { role: 'auditor', practiceId: a.practice.id });
    const res = await auditor.request({ method: 'GET', url: exportUrl(a.practice.id) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const day = t.clock.now().toISOString().slice(0, 10);
    const slug = a.practice.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="osiriscare-export-${slug}-${day}.zip"`);
    const zip = new Uint8Array(res.rawPayload);
    const files: Files = unzipSync(zip);

    // Layout.
    const heads = (json(files, EXPORT_PATHS.treeHeads) as unknown[]).map((h) => ExportTreeHead.parse(h));
    expect(heads.map((h) => h.treeSize)).toEqual([10, 13, 16]);
    const perAppliance = (id: string) => [
      EXPORT_PATHS.registration(id),
      EXPORT_PATHS.bundles(id),
      EXPORT_PATHS.proofs(id),
    ];
    expect(Object.keys(files).sort()).toEqual(
      [
        EXPORT_PATHS.manifest,
        EXPORT_PATHS.manifestSignature,
        EXPORT_PATHS.logKey,
        EXPORT_PATHS.treeHeads,
        EXPORT_PATHS.consistency,
        EXPORT_PATHS.tsaTrust,
        EXPORT_PATHS.readme,
        ...heads.map((h) => EXPORT_PATHS.tsaToken(h.treeSize)),
        ...[x, y, idle].flatMap((ap) => perAppliance(ap.applianceId)),
        EXPORT_PATHS.packet(insideMonth),
      ].sort(),
    );
    expect(Object.keys(files).some((p) => p.includes(z.applianceId))).toBe(false);
    expect(text(files[EXPORT_PATHS.manifest])).not.toContain(z.applianceId);

    // Manifest: hashes of every other file, signed by the log key.
    const logKey = LogKey.parse(json(files, EXPORT_PATHS.logKey));
    const published = await admin.request({ method: 'GET', url: '/v1/transparency/log-key' });
    expect(published.json()).toMatchObject(logKey);
    const key = base64UrlToBytes(logKey.publicKey);
    const manifest = ExportManifest.parse(json(files, EXPORT_PATHS.manifest));
    const signature = text(files[EXPORT_PATHS.manifestSignature]);
    expect(await verifyLogKeySignature(EXPORT_SIGNING_PREFIX, manifest, signature, key)).toBe(true);
    expect(await verifyLogKeySignature(EXPORT_SIGNING_PREFIX, { ...manifest, treeSize: 15 }, signature, key)).toBe(
      false,
    );
    const others = Object.keys(files).filter(
      (p) => p !== EXPORT_PATHS.manifest && p !== EXPORT_PATHS.manifestSignature,
    );
    expect(Object.keys(manifest.files).sort()).toEqual(others.sort());
    for (const path of others) expect(manifest.files[path], path).toBe(sha256Hex(files[path] as Uint8Array));
    expect(manifest).toMatchObject({
      practice: { id: a.practice.id, name: a.practice.name },
      period: { from, to },
      keyId: logKey.keyId,
      treeSize: 16,
      packets: [insideMonth],
    });
    const xBundles = uploaded.get(x.applianceId) as SignedEvidenceBundle[];
    const yBundles = uploaded.get(y.applianceId) as SignedEvidenceBundle[];
    expect(manifest.appliances).toEqual(
      [
        {
          id: x.applianceId,
          siteId: a.site.id,
          firstSeq: 3,
          lastSeq: 9,
          firstPrevHash: xBundles[1]?.hash,
          bundleCount: 7,
        },
        {
          id: y.applianceId,
          siteId: siteA2.id,
          firstSeq: 1,
          lastSeq: 3,
          firstPrevHash: '0'.repeat(64),
          bundleCount: 3,
        },
        { id: idle.applianceId, siteId: a.site.id, firstSeq: null, lastSeq: null, firstPrevHash: null, bundleCount: 0 },
      ]
        .map((e) => ({ ...e, hostname: 'appl' }))
        .sort((p, q) => p.id.localeCompare(q.id)),
    );

    // Tree heads, consistency between them and their timestamps.
    for (const head of heads) expect(await verifyTreeHead(head, key)).toBe(true);
    const consistency = (json(files, EXPORT_PATHS.consistency) as unknown[]).map((c) => ExportConsistency.parse(c));
    expect(consistency.map((c) => [c.first, c.second])).toEqual([
      [10, 13],
      [13, 16],
    ]);
    for (const [i, c] of consistency.entries()) {
      const [first, second] = [heads[i] as ExportTreeHead, heads[i + 1] as ExportTreeHead];
      const proof = c.proof.map(hexToBytes);
      expect(
        await verifyConsistency(c.first, c.second, hexToBytes(first.rootHash), hexToBytes(second.rootHash), proof),
      ).toBe(true);
    }
    expect(text(files[EXPORT_PATHS.tsaTrust])).toContain('BEGIN CERTIFICATE');
    for (const head of heads) {
      const { tsaTime: _t, signature: _s, ...body } = head;
      const verdict = await verifyTimestampToken(
        files[EXPORT_PATHS.tsaToken(head.treeSize)] as Uint8Array,
        await sha256(treeHeadSigningInput(body)),
        { certificates: [tsa.caCertDer] },
      );
      expect(verdict.ok, 'reason' in verdict ? String(verdict.reason) : '').toBe(true);
      expect(head.tsaTime).not.toBeNull();
    }

    // Registrations, chains and inclusion proofs against the last head.
    const last = heads.at(-1) as ExportTreeHead;
    for (const entry of manifest.appliances) {
      const record = RegistrationRecord.parse(json(files, EXPORT_PATHS.registration(entry.id)));
      const { signature: regSignature, ...body } = record;
      expect(await verifyLogKeySignature(REGISTRATION_SIGNING_PREFIX, body, regSignature, key)).toBe(true);
      expect(record.fingerprint).toBe(sha256Hex(base64UrlToBytes(record.publicKey)));
      expect(record).toMatchObject({ applianceId: entry.id, practiceId: a.practice.id, keyId: logKey.keyId });
      const bundles = lines(files, EXPORT_PATHS.bundles(entry.id));
      const proofs = lines(files, EXPORT_PATHS.proofs(entry.id)) as LeafProof[];
      expect(bundles).toHaveLength(entry.bundleCount);
      expect(proofs).toHaveLength(entry.bundleCount);
      if (entry.firstSeq === null) continue;
      const chain = await verifyChain(bundles, base64UrlToBytes(record.publicKey), {
        seq: entry.firstSeq - 1,
        hash: entry.firstPrevHash as string,
      });
      expect(chain, JSON.stringify(chain)).toMatchObject({
        ok: true,
        count: entry.bundleCount,
        headSeq: entry.lastSeq,
      });
      for (const [i, proof] of proofs.entries()) {
        const bundle = bundles[i] as SignedEvidenceBundle;
        expect(proof).toMatchObject({ seq: bundle.bundle.seq, bundleHash: bundle.hash });
        const leaf = await merkleLeafHash(hexToBytes(proof.bundleHash));
        expect(
          await verifyInclusion(
            leaf,
            proof.leafIndex,
            last.treeSize,
            proof.proof.map(hexToBytes),
            hexToBytes(last.rootHash),
          ),
        ).toBe(true);
      }
    }
    expect(lines(files, EXPORT_PATHS.bundles(x.applianceId))).toEqual(xBundles.slice(2, 9));
    expect(lines(files, EXPORT_PATHS.bundles(y.applianceId))).toEqual(yBundles);

    // The packet as stored, and the README.
    const stored = await t.database.db
      .selectFrom('compliance_packets')
      .select(['pdf', 'sha256'])
      .where('practice_id', '=', a.practice.id)
      .where('month', '=', `${insideMonth}-01`)
      .executeTakeFirstOrThrow();
    expect(sha256Hex(files[EXPORT_PATHS.packet(insideMonth)] as Uint8Array)).toBe(stored.sha256);
    const readme = text(files[EXPORT_PATHS.readme]);
    expect(readme).toContain('npx osiris-verify');
    expect(readme).toContain('openssl ts -verify');
    expect(readme).toContain(a.practice.name);
    expect(readme).toContain(`Appliances: 3; evidence bundles: 10`);
    // The README's OpenSSL cross-check, run as an auditor would.
    const dir = mkdtempSync(join(tmpdir(), 'export-tsa-'));
    try {
      writeFileSync(join(dir, 'trusted-certs.pem'), files[EXPORT_PATHS.tsaTrust] as Uint8Array);
      for (const head of heads) {
        const input = readme.split('\n').find((l) => l.startsWith(`${head.treeSize}: `));
        expect(input, `signing input of head ${head.treeSize}`).toBeDefined();
        writeFileSync(join(dir, 'head.txt'), (input as string).slice(`${head.treeSize}: `.length));
        writeFileSync(join(dir, 'head.tst'), files[EXPORT_PATHS.tsaToken(head.treeSize)] as Uint8Array);
        const verified = execFileSync(
          OPENSSL,
          ['ts', '-verify', '-data', 'head.txt', '-in', 'head.tst', '-token_in', '-CAfile', 'trusted-certs.pem'],
          { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
        expect(verified).toContain('Verification: OK');
        const shown = execFileSync(OPENSSL, ['ts', '-reply', '-in', 'head.tst', '-token_in', '-text'], {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        expect(shown).toContain('Time stamp:');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // The export is audited with its period and counts.
    const audited = await t.database.db
      .selectFrom('audit_log')
      .select(['actor_id', 'target_id', 'details'])
      .where('action', '=', 'evidence.exported')
      .where('actor_id', '=', auditor.userId ?? '')
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      target_id: a.practice.id,
      details: { from, to, treeSize: 16, appliances: 3, bundles: 10, treeHeads: 3, packets: [insideMonth] },
    });
  });

  it("passes protocol's offline verifier (verifyExport), and fails it once a byte changes", async () => {
    const res = await admin.request({ method: 'GET', url: exportUrl(a.practice.id) });
    expect(res.statusCode).toBe(200);
    const zip = new Uint8Array(res.rawPayload);
    const result = await verifyExport(unzipExport(zip));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.summary).toMatchObject({ appliances: 3, bundles: 10, proofs: 10, treeHeads: 3, packets: 1 });
    const files = unzipSync(zip);
    const path = EXPORT_PATHS.bundles(x.applianceId);
    const tampered = text(files[path]).replace('"status":"pass"', '"status":"fail"');
    expect(tampered).not.toBe(text(files[path]));
    const changed = new Map(Object.entries(files));
    changed.set(path, new TextEncoder().encode(tampered));
    const refused = await verifyExport(exportFilesFromMap(changed));
    expect(refused.ok).toBe(false);
  });

  it('names the tampered item for every kind of tampering of this real export', async () => {
    const res = await admin.request({ method: 'GET', url: exportUrl(a.practice.id) });
    expect(res.statusCode).toBe(200);
    const files = new Map(Object.entries(unzipSync(new Uint8Array(res.rawPayload))));
    const applianceKeys = new Map([x, y, idle].map((appliance) => [appliance.applianceId, appliance.pkcs8]));
    const named: string[] = [];
    for (const tamper of TAMPER_CASES) {
      const tampered = await tamper.apply(files, { applianceKeys });
      expect(tampered, `${tamper.name} applies to a real export`).not.toBeNull();
      if (!tampered) continue;
      const result = await verifyExport(exportFilesFromMap(tampered.files));
      expect(result.ok, tamper.name).toBe(false);
      expect(result.ok ? null : result.failure.item, tamper.name).toMatch(tampered.expectedItem);
      named.push(tamper.name);
    }
    expect(named).toHaveLength(TAMPER_CASES.length);
  });

  it('refuses other tenants, anonymous callers and bad periods', async () => {
    const ownerB = await signInAs(t, { role: 'practice_owner', practiceId: b.practice.id });
    expectError(await ownerB.request({ method: 'GET', url: exportUrl(a.practice.id) }), 404, 'NOT_FOUND');
    const auditorA = await signInAs(t, { role: 'auditor', practiceId: a.practice.id });
    expectError(await auditorA.request({ method: 'GET', url: exportUrl(b.practice.id) }), 404, 'NOT_FOUND');
    const partnerB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    expectError(await partnerB.request({ method: 'GET', url: exportUrl(a.practice.id) }), 404, 'NOT_FOUND');
    expectError(await t.anonymous.request({ method: 'GET', url: exportUrl(a.practice.id) }), 401, 'UNAUTHENTICATED');
    const bad = async (query: string) =>
      expectError(
        await auditorA.request({ method: 'GET', url: exportUrl(a.practice.id, query) }),
        400,
        'VALIDATION_FAILED',
      );
    await bad(`?from=${to}&to=${from}`);
    await bad(`?from=${to}&to=${to}`);
    await bad('?from=2025-01-01T00:00:00Z&to=2026-02-06T00:00:00Z');
    await bad('?from=yesterday');
    await bad('?limit=5');
    const partnerA = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    const defaults = await partnerA.request({ method: 'GET', url: exportUrl(a.practice.id, '') });
    expect(defaults.statusCode).toBe(200);
    const manifest = ExportManifest.parse(
      JSON.parse(text(unzipSync(new Uint8Array(defaults.rawPayload))['manifest.json'])),
    );
    expect(Date.parse(manifest.period.to) - Date.parse(manifest.period.from)).toBe(31 * DAY_MS);
    expect(manifest.period.to).toBe(manifest.createdAt);
  });

  it('stops writing when the reader goes away', async () => {
    const prepared = await t.services.exports.prepare(SYSTEM_ACTOR, a.practice.id, { from, to });
    const out = new PassThrough({ highWaterMark: 16 });
    const abort = new AbortController();
    const writing = t.services.exports.write(prepared, out, abort.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(out.writableNeedDrain).toBe(true);
    abort.abort();
    await expect(writing).rejects.toMatchObject({ name: 'AbortError' });
    expect(out.writableEnded).toBe(false);

    // The output closing (the response going away) stops it too.
    const closing = new PassThrough({ highWaterMark: 16 });
    const stopped = t.services.exports.write(prepared, closing, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    closing.destroy();
    await expect(stopped).rejects.toThrow('export output closed');
  });
});
