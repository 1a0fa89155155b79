import type {
  AuditEntry,
  EvidenceChainReport,
  PartnerRetention,
  PracticeRetention,
  RetentionRunList,
} from '@osiris/protocol';
import { unzipExport, verifyExport } from '@osiris/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, createChainWriter, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createTenant, expectError, expectValidationIssues, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

const HOST_1 = '01890000-0000-7000-8000-00000000a001';
const HOST_2 = '01890000-0000-7000-8000-00000000a002';
const SSH = 'linux.ssh.permit-root-login';
const FIREWALL = 'linux.firewall.default-deny';

/** seq → when the bundle finished and on which host; check ssh on odd seqs, firewall on even ones (unless named). */
type Plan = Record<number, { at: string; hostId?: string; checkId?: string }>;

/** Appliance A of practice A: March and April 2019, May 2019 (not past retention), November 2026. */
const PLAN_A: Plan = {
  1: { at: '2019-03-10T10:00:00Z' },
  2: { at: '2019-03-10T10:00:01Z' },
  // HOST_2 reports once: this stays its latest ssh result until seq 10 replaces it.
  3: { at: '2019-03-20T10:00:00Z', hostId: HOST_2 },
  4: { at: '2019-04-10T10:00:00Z' },
  5: { at: '2019-04-30T23:59:59Z' },
  6: { at: '2019-05-01T00:00:00Z' },
  7: { at: '2019-05-10T10:00:00Z' },
  8: { at: '2026-11-10T10:00:00Z' },
  9: { at: '2026-11-10T10:00:01Z' },
  10: { at: '2026-11-11T10:00:00Z', hostId: HOST_2, checkId: SSH },
};
/** Appliance B of practice B: March 2019 and November 2026. */
const PLAN_B: Plan = {
  1: { at: '2019-03-11T10:00:00Z' },
  2: { at: '2019-03-11T10:00:01Z' },
  3: { at: '2026-11-10T10:00:00Z' },
  4: { at: '2026-11-10T10:00:01Z' },
};

/** Judged as of 15 May 2025: with six years, March and April 2019 are past retention, May 2019 is not. */
const AS_OF = new Date('2025-05-15T12:00:00Z');

describe.each(testBackends)('evidence retention on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let applianceA: Awaited<ReturnType<typeof registerTestAppliance>>;
  let applianceB: Awaited<ReturnType<typeof registerTestAppliance>>;
  let writeA: ReturnType<typeof createChainWriter>;

  const writer = (applianceId: string, pkcs8: Uint8Array, plan: Plan) =>
    createChainWriter(applianceId, pkcs8, {
      checkOf: (seq) => plan[seq]?.checkId ?? (seq % 2 ? SSH : FIREWALL),
      fieldsOf: (seq) => {
        const step = plan[seq];
        if (!step) throw new Error(`no plan for seq ${seq}`);
        return { startedAt: step.at, finishedAt: step.at, hostId: step.hostId ?? HOST_1 };
      },
    });

  const seqsOf = async (applianceId: string) =>
    (
      await t.database.db
        .selectFrom('evidence_bundles')
        .select('seq')
        .where('appliance_id', '=', applianceId)
        .orderBy('seq')
        .execute()
    ).map((r) => Number(r.seq));

  const leafCount = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM merkle_leaves`.execute(t.database.db)).rows[0]?.n);

  const ok = async <T>(caller: Caller, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => {
    const res = await caller.request({ method, url, ...(payload === undefined ? {} : { payload }) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as T;
  };

  const audited = (action: string, practiceId: string): Promise<AuditEntry[]> =>
    auditWhere(admin, `limit=500&action=${action}&targetId=${practiceId}`);

  const purge = () => t.services.retentionPurge.purgeDue({ now: AS_OF });

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    applianceA = await registerTestAppliance(t, admin, a.site.id);
    applianceB = await registerTestAppliance(t, admin, b.site.id);
    writeA = writer(applianceA.applianceId, applianceA.pkcs8, PLAN_A);
    const writeB = writer(applianceB.applianceId, applianceB.pkcs8, PLAN_B);
    for (const [upload, bundles] of [
      [applianceA.upload, await writeA(9)],
      [applianceB.upload, await writeB(4)],
    ] as const) {
      const res = await upload(bundles);
      expect(res.statusCode, res.body).toBe(200);
    }
    await t.services.transparency.issueTreeHead();
  }, 120_000);
  afterAll(() => t?.close());

  it('defaults to six years and shows the bounds', async () => {
    expect(await ok<PartnerRetention>(admin, 'GET', `/v1/partners/${a.partner.id}/retention`)).toEqual({
      partnerId: a.partner.id,
      evidenceRetentionMonths: 72,
      isDefault: true,
      defaultMonths: 72,
      minMonths: 72,
      maxMonths: 1200,
    });
    const viewer = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    expect(await ok<PracticeRetention>(viewer, 'GET', `/v1/practices/${a.practice.id}/retention`)).toMatchObject({
      practiceId: a.practice.id,
      evidenceRetentionMonths: null,
      partnerMonths: 72,
      effectiveMonths: 72,
    });
  });

  it('blocks a month past retention without its packet, auditing the block once across runs', async () => {
    expect(await purge()).toEqual({ purged: 0, blocked: 3, deferred: 0 });
    expect(await purge()).toEqual({ purged: 0, blocked: 0, deferred: 0 });
    const blockedA = await audited('evidence.retention.blocked', a.practice.id);
    expect(blockedA.map((e) => e.details.month).sort()).toEqual(['2019-03', '2019-04']);
    expect(blockedA.every((e) => e.actorType === 'system' && e.details.retentionMonths === 72)).toBe(true);
    expect((await audited('evidence.retention.blocked', b.practice.id)).map((e) => e.details.month)).toEqual([
      '2019-03',
    ]);
    expect(await seqsOf(applianceA.applianceId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const runs = await ok<RetentionRunList>(admin, 'GET', `/v1/practices/${a.practice.id}/retention/runs`);
    expect(runs.items.map((r) => [r.month, r.state, r.purgedCount])).toEqual([
      ['2019-04', 'blocked', 0],
      ['2019-03', 'blocked', 0],
    ]);
  });

  it('purges the month once its packet exists: audited, counted, the chain anchored, nothing else touched', async () => {
    const leavesBefore = await leafCount();
    await ok(admin, 'POST', `/v1/practices/${a.practice.id}/packets`, { month: '2019-03' });
    const hashOf = async (applianceId: string, seq: number) =>
      (
        await t.database.db
          .selectFrom('evidence_bundles')
          .select(['hash', 'prev_hash'])
          .where('appliance_id', '=', applianceId)
          .where('seq', '=', seq)
          .executeTakeFirstOrThrow()
      ).hash;
    const hash2 = await hashOf(applianceA.applianceId, 2);

    expect(await purge()).toEqual({ purged: 1, blocked: 0, deferred: 0 });
    // Seq 3 is still host 2's latest ssh result, so it stays; April, May and November stay.
    expect(await seqsOf(applianceA.applianceId)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(await seqsOf(applianceB.applianceId)).toEqual([1, 2, 3, 4]);
    expect(await leafCount()).toBe(leavesBefore);

    const [entry, ...more] = await audited('evidence.retention.purged', a.practice.id);
    expect(more).toEqual([]);
    expect(entry?.actorType).toBe('system');
    expect(entry?.details).toMatchObject({
      month: '2019-03',
      retentionMonths: 72,
      purgedCount: 2,
      keptCount: 1,
      isRepeat: false,
      appliances: [
        { applianceId: applianceA.applianceId, purgedCount: 2, keptCount: 1, lastPurgedSeq: 2, lastPurgedHash: hash2 },
      ],
    });
    const runs = await ok<RetentionRunList>(admin, 'GET', `/v1/practices/${a.practice.id}/retention/runs`);
    const march = runs.items.find((r) => r.month === '2019-03');
    expect(march).toMatchObject({ state: 'purged', purgedCount: 2, keptCount: 1 });
    expect(march?.blockedAt).not.toBeNull();
    expect(march?.appliances).toEqual([
      { applianceId: applianceA.applianceId, purgedCount: 2, keptCount: 1, lastPurgedSeq: 2, lastPurgedHash: hash2 },
    ]);
    // What remains of the chain after the gap links to the anchor.
    const next = await t.database.db
      .selectFrom('evidence_bundles')
      .select('prev_hash')
      .where('appliance_id', '=', applianceA.applianceId)
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    expect(next.prev_hash).toBe(hash2);

    // Idempotent: nothing more to do, nothing more audited.
    expect(await purge()).toEqual({ purged: 0, blocked: 0, deferred: 0 });
    expect(await audited('evidence.retention.purged', a.practice.id)).toHaveLength(1);

    // The stored chain still verifies: from the anchor on, not from seq 1.
    const report = await ok<EvidenceChainReport>(
      admin,
      'GET',
      `/v1/appliances/${applianceA.applianceId}/evidence/verify`,
    );
    expect(report).toMatchObject({ ok: true, count: 7, headSeq: 9, anchorSeq: 2, firstBad: null });

    // An auditor export of the purged period starts after the anchor and still verifies offline.
    const res = await admin.request({
      method: 'GET',
      url: `/v1/practices/${a.practice.id}/evidence-export?from=2019-03-01T00:00:00.000Z&to=2019-12-01T00:00:00.000Z`,
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const verified = await verifyExport(unzipExport(new Uint8Array(res.rawPayload)));
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
    const manifest = JSON.parse(
      new TextDecoder().decode(unzipExport(new Uint8Array(res.rawPayload)).read('manifest.json')),
    );
    expect(manifest.appliances[0]).toMatchObject({ firstSeq: 3, firstPrevHash: hash2 });
  });

  it('keeps a month that is not wholly past retention', async () => {
    // May 2019 ends on 1 June 2019, after 15 May 2025 minus six years: not even recorded.
    const runs = await ok<RetentionRunList>(admin, 'GET', `/v1/practices/${a.practice.id}/retention/runs`);
    expect(runs.items.map((r) => r.month)).not.toContain('2019-05');
    expect(await seqsOf(applianceA.applianceId)).toEqual(expect.arrayContaining([6, 7]));
    // A month later May is past retention too (and blocked, having no packet).
    const later = await t.services.retentionPurge.purgeDue({ now: new Date('2025-06-01T00:00:00Z') });
    expect(later.blocked).toBe(1);
    expect(await seqsOf(applianceA.applianceId)).toEqual(expect.arrayContaining([6, 7]));
    const report = await ok<EvidenceChainReport>(
      admin,
      'GET',
      `/v1/appliances/${applianceA.applianceId}/evidence/verify`,
    );
    expect(report, JSON.stringify(report.firstBad)).toMatchObject({ ok: true, firstBad: null });
  });

  it('purges a kept latest result once a newer result replaces it', async () => {
    const res = await applianceA.upload(await writeA(1));
    expect(res.statusCode, res.body).toBe(200);
    await t.services.transparency.issueTreeHead();
    expect(await purge()).toEqual({ purged: 1, blocked: 0, deferred: 0 });
    expect(await seqsOf(applianceA.applianceId)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    const entries = await audited('evidence.retention.purged', a.practice.id);
    expect(entries[0]?.details).toMatchObject({ month: '2019-03', purgedCount: 1, keptCount: 0, isRepeat: true });
    const march = (
      await ok<RetentionRunList>(admin, 'GET', `/v1/practices/${a.practice.id}/retention/runs`)
    ).items.find((r) => r.month === '2019-03');
    expect(march).toMatchObject({ state: 'purged', purgedCount: 3, keptCount: 0 });
    expect(march?.appliances[0]).toMatchObject({ purgedCount: 3, keptCount: 0, lastPurgedSeq: 3 });
    const report = await ok<EvidenceChainReport>(
      admin,
      'GET',
      `/v1/appliances/${applianceA.applianceId}/evidence/verify`,
    );
    expect(report).toMatchObject({ ok: true, count: 7, headSeq: 10, anchorSeq: 3 });
  });

  it("follows a practice's own retention over its partner's", async () => {
    await ok(admin, 'POST', `/v1/practices/${b.practice.id}/packets`, { month: '2019-03' });
    const partnerAdminB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    const set = await ok<PracticeRetention>(partnerAdminB, 'PUT', `/v1/practices/${b.practice.id}/retention`, {
      evidenceRetentionMonths: 100,
    });
    expect(set).toMatchObject({ evidenceRetentionMonths: 100, partnerMonths: 72, effectiveMonths: 100 });
    // Eight years and four months back from May 2025 is January 2017: March 2019 stays.
    expect(await purge()).toEqual({ purged: 0, blocked: 0, deferred: 0 });
    expect(await seqsOf(applianceB.applianceId)).toEqual([1, 2, 3, 4]);

    const cleared = await ok<PracticeRetention>(partnerAdminB, 'PUT', `/v1/practices/${b.practice.id}/retention`, {
      evidenceRetentionMonths: null,
    });
    expect(cleared).toMatchObject({ evidenceRetentionMonths: null, effectiveMonths: 72 });
    const changes = await audited('practice.retention_update', b.practice.id);
    expect(changes.map((e) => [e.details.before, e.details.after])).toEqual([
      [100, null],
      [null, 100],
    ]);
    expect(await purge()).toEqual({ purged: 1, blocked: 0, deferred: 0 });
    expect(await seqsOf(applianceB.applianceId)).toEqual([3, 4]);
    // Practice A's remaining bundles were not touched by B's purge.
    expect(await seqsOf(applianceA.applianceId)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it("follows the partner's retention for practices without their own", async () => {
    const partnerAdminA = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    const set = await ok<PartnerRetention>(partnerAdminA, 'PUT', `/v1/partners/${a.partner.id}/retention`, {
      evidenceRetentionMonths: 120,
    });
    expect(set).toMatchObject({ evidenceRetentionMonths: 120, isDefault: false });
    expect(await ok<PracticeRetention>(admin, 'GET', `/v1/practices/${a.practice.id}/retention`)).toMatchObject({
      partnerMonths: 120,
      effectiveMonths: 120,
    });
    const [change] = await audited('partner.retention_update', a.partner.id);
    expect(change?.details).toMatchObject({ before: 72, after: 120, wasDefault: true });
    // April 2019 now has its packet, but ten years have not passed: it stays.
    await ok(admin, 'POST', `/v1/practices/${a.practice.id}/packets`, { month: '2019-04' });
    expect(await purge()).toEqual({ purged: 0, blocked: 0, deferred: 0 });
    expect(await seqsOf(applianceA.applianceId)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    const tenYearsOn = await t.services.retentionPurge.purgeDue({ now: new Date('2029-05-15T00:00:00Z') });
    expect(tenYearsOn.purged).toBe(1);
    expect(await seqsOf(applianceA.applianceId)).toEqual([6, 7, 8, 9, 10]);
  });

  it('still refuses a plain DELETE or UPDATE of evidence, and any change of the audit log', async () => {
    const db = t.database.db;
    await expect(
      sql`DELETE FROM evidence_bundles WHERE appliance_id = ${applianceA.applianceId}`.execute(db),
    ).rejects.toThrow(/append-only/);
    // The flag lets the retention job delete; it never allows an update, nor touches the audit log.
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('osiris.evidence_purge', 'on', true)`.execute(trx);
        await sql`UPDATE evidence_bundles SET status = 'pass' WHERE appliance_id = ${applianceA.applianceId}`.execute(
          trx,
        );
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('osiris.evidence_purge', 'on', true)`.execute(trx);
        await sql`DELETE FROM audit_log WHERE seq = 1`.execute(trx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('osiris.evidence_purge', 'on', true)`.execute(trx);
        await sql`DELETE FROM merkle_leaves WHERE leaf_index = 0`.execute(trx);
      }),
    ).rejects.toThrow(/append-only/);
    // The flag was transaction-local: it is gone afterwards.
    await expect(
      sql`DELETE FROM evidence_bundles WHERE appliance_id = ${applianceA.applianceId}`.execute(db),
    ).rejects.toThrow(/append-only/);
    expect(await seqsOf(applianceA.applianceId)).toEqual([6, 7, 8, 9, 10]);
  });

  it('refuses retention outside 72 to 1200 months', async () => {
    const url = `/v1/partners/${a.partner.id}/retention`;
    for (const evidenceRetentionMonths of [71, 1201, 84.5, '84', null])
      expectValidationIssues(
        await admin.request({ method: 'PUT', url, payload: { evidenceRetentionMonths } }),
        String(evidenceRetentionMonths),
      );
    expectValidationIssues(await admin.request({ method: 'PUT', url, payload: {} }));
    expectValidationIssues(
      await admin.request({ method: 'PUT', url, payload: { evidenceRetentionMonths: 84, extra: true } }),
    );
    const practiceUrl = `/v1/practices/${a.practice.id}/retention`;
    for (const evidenceRetentionMonths of [0, 71, 1201])
      expectValidationIssues(
        await admin.request({ method: 'PUT', url: practiceUrl, payload: { evidenceRetentionMonths } }),
      );
    expect(await ok<PartnerRetention>(admin, 'GET', url)).toMatchObject({ evidenceRetentionMonths: 120 });
  });

  it("answers another tenant's retention as not found, and lets only admins change it", async () => {
    const partnerAdminB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    expectError(
      await partnerAdminB.request({ method: 'GET', url: `/v1/partners/${a.partner.id}/retention` }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await partnerAdminB.request({
        method: 'PUT',
        url: `/v1/partners/${a.partner.id}/retention`,
        payload: { evidenceRetentionMonths: 80 },
      }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await partnerAdminB.request({
        method: 'PUT',
        url: `/v1/practices/${a.practice.id}/retention`,
        payload: { evidenceRetentionMonths: 80 },
      }),
      404,
      'NOT_FOUND',
    );
    const ownerB = await signInAs(t, { role: 'practice_owner', practiceId: b.practice.id });
    expectError(
      await ownerB.request({ method: 'GET', url: `/v1/practices/${a.practice.id}/retention/runs` }),
      404,
      'NOT_FOUND',
    );
    // A practice's own people read; only partner admins and platform admins change it.
    const ownerA = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    expectError(
      await ownerA.request({
        method: 'PUT',
        url: `/v1/practices/${a.practice.id}/retention`,
        payload: { evidenceRetentionMonths: 80 },
      }),
      403,
      'FORBIDDEN',
    );
    const technicianA = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    expectError(
      await technicianA.request({
        method: 'PUT',
        url: `/v1/partners/${a.partner.id}/retention`,
        payload: { evidenceRetentionMonths: 80 },
      }),
      403,
      'FORBIDDEN',
    );
    const auditorA = await signInAs(t, { role: 'auditor', practiceId: a.practice.id });
    const runs = await ok<RetentionRunList>(auditorA, 'GET', `/v1/practices/${a.practice.id}/retention/runs`);
    expect(runs.items.every((r) => r.practiceId === a.practice.id)).toBe(true);
    expect(runs.items.length).toBeGreaterThan(0);
    expectError(
      await t.anonymous.request({ method: 'GET', url: `/v1/practices/${a.practice.id}/retention` }),
      401,
      'UNAUTHENTICATED',
    );
  });
});
