import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompliancePacket, CompliancePacketList, SignedEvidenceBundle } from '@osiris/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, createChainWriter, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import { createTenant, expectError, newUser, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

const SSH = 'linux.ssh.permit-root-login';
const FIREWALL = 'linux.firewall.default-deny-input';
const REASON = 'The lab analyser vendor needs port 4000 open until its March upgrade.';
/** A real 1x1 PNG, so the cover places an actual logo. */
const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** seq → what the stand-in appliance reports: two check runs, then three healing attempts. */
const RUNS: Record<number, { checkId: string; status: 'pass' | 'fail'; heal?: { tier: string; ms: number } }> = {
  1: { checkId: SSH, status: 'pass' },
  2: { checkId: FIREWALL, status: 'fail' },
  3: { checkId: SSH, status: 'pass', heal: { tier: 'L1', ms: 4000 } },
  4: { checkId: FIREWALL, status: 'pass', heal: { tier: 'L1', ms: 2000 } },
  5: { checkId: FIREWALL, status: 'fail', heal: { tier: 'L2', ms: 10_000 } },
};

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

describe.each(testBackends)('monthly compliance packets on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let month: string;
  let monthEnd: number;
  let bundles: SignedEvidenceBundle[];
  let fingerprint: string;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    dir = mkdtempSync(join(tmpdir(), 'packets-'));
    const adminUser = await newUser(t, 'admin');
    admin = await t.login(adminUser.email, adminUser.password);
    a = await createTenant(admin);
    b = await createTenant(admin);
    const start = t.clock.now();
    month = start.toISOString().slice(0, 7);
    monthEnd = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);

    const ok = async (req: Parameters<Caller['request']>[0], as = admin) => {
      const res = await as.request(req);
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    await ok({ method: 'PUT', url: `/v1/sites/${a.site.id}/frameworks`, payload: { preset: 'healthcare' } });
    await ok({
      method: 'PUT',
      url: `/v1/partners/${a.partner.id}/branding`,
      payload: { brandName: 'Harborline Managed IT', color: '#0a6e4f' },
    });
    await ok({
      method: 'PUT',
      url: `/v1/partners/${a.partner.id}/logo`,
      payload: LOGO,
      headers: { 'content-type': 'image/png' },
    });
    const appliance = await registerTestAppliance(t, admin, a.site.id);
    const row = await t.database.db
      .selectFrom('appliances')
      .select('public_key')
      .where('id', '=', appliance.applianceId)
      .executeTakeFirstOrThrow();
    fingerprint = createHash('sha256').update(Buffer.from(row.public_key, 'base64url')).digest('hex');

    // A practice owner asks for an exception; the platform admin approves it.
    const owner = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    const exception = await ok(
      {
        method: 'POST',
        url: `/v1/sites/${a.site.id}/exceptions`,
        payload: {
          scope: { kind: 'check', checkId: FIREWALL },
          reason: REASON,
          expiresAt: new Date(start.getTime() + 20 * 86_400_000).toISOString(),
        },
      },
      owner,
    );
    await ok({ method: 'POST', url: `/v1/exceptions/${exception.id}/approve`, payload: {} });

    // Near the month's end the appliance reports fresh results and healing attempts.
    t.clock.advance(monthEnd - 5 * 60_000 - t.clock.now().getTime());
    const at = t.clock.now().getTime();
    const writer = createChainWriter(appliance.applianceId, appliance.pkcs8, {
      checkOf: (seq) => RUNS[seq]?.checkId ?? SSH,
      statusOf: (seq) => RUNS[seq]?.status ?? 'pass',
      fieldsOf: (seq) => {
        const r = RUNS[seq];
        const finished = at + seq * 1000;
        return {
          startedAt: new Date(finished - (r?.heal?.ms ?? 0)).toISOString(),
          finishedAt: new Date(finished).toISOString(),
          ...(r?.heal
            ? { kind: 'healing' as const, observed: { tier: r.heal.tier, runbookId: `${r.checkId}.fix` } }
            : {}),
        };
      },
    });
    bundles = await writer(5);
    const uploaded = await appliance.upload(bundles);
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    await t.services.transparency.issueTreeHead();
    await t.services.snapshots.snapshotAll();

    // The 1st of the next month: last month is over.
    t.clock.advance(monthEnd + 3_600_000 - t.clock.now().getTime());
    admin = await t.login(adminUser.email, adminUser.password);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const list = async (caller: Caller, practiceId: string) => {
    const res = await caller.request({ method: 'GET', url: `/v1/practices/${practiceId}/packets` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as CompliancePacketList).items;
  };

  it('the monthly job makes last month’s packet once, only for practices with appliances then', async () => {
    expect(await t.services.packets.makeMonthly()).toBe(1);
    expect(await t.services.packets.makeMonthly()).toBe(0);
    const items = await list(admin, a.practice.id);
    expect(items).toEqual([
      expect.objectContaining({ month, pages: expect.any(Number), createdBy: null, practiceId: a.practice.id }),
    ]);
    expect(await list(admin, b.practice.id)).toEqual([]);
    const audited = await t.database.db
      .selectFrom('audit_log')
      .select(['target_id', 'details'])
      .where('action', '=', 'packet.create')
      .execute();
    expect(audited).toEqual([
      expect.objectContaining({ target_id: a.practice.id, details: expect.objectContaining({ month }) }),
    ]);
  });

  it('asking for a month already made answers the stored packet; a month not over is refused', async () => {
    const [stored] = await list(admin, a.practice.id);
    const again = await admin.request({
      method: 'POST',
      url: `/v1/practices/${a.practice.id}/packets`,
      payload: { month },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect((again.json() as CompliancePacket).id).toBe(stored?.id);
    const current = t.clock.now().toISOString().slice(0, 7);
    const early = await admin.request({
      method: 'POST',
      url: `/v1/practices/${a.practice.id}/packets`,
      payload: { month: current },
    });
    expectError(early, 400, 'VALIDATION_FAILED');
    const malformed = await admin.request({
      method: 'POST',
      url: `/v1/practices/${a.practice.id}/packets`,
      payload: { month: '2026-13' },
    });
    expectError(malformed, 400, 'VALIDATION_FAILED');
  });

  it('the PDF is A4 text with the branding, scores, controls, healing, exception, appliance and evidence', async () => {
    const [packet] = await list(admin, a.practice.id);
    if (!packet) throw new Error('no packet');
    const res = await admin.request({ method: 'GET', url: `/v1/packets/${packet.id}/pdf` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="compliance-packet-.+\.pdf"$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toContain('no-store');
    const pdf = res.rawPayload;
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(packet.sha256);
    expect(pdf.length).toBe(packet.sizeBytes);
    const file = join(dir, `${backend}.pdf`);
    writeFileSync(file, pdf);

    const info = run('pdfinfo', [file]);
    expect(info).toMatch(new RegExp(`Pages:\\s+${packet.pages}\\n`));
    expect(info).toMatch(/Page size:\s+595\.2\d x 841\.8\d pts \(A4\)/);
    const text = run('pdftotext', ['-layout', file, '-']);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Harborline Managed IT');
    expect(flat).toContain(a.practice.name);
    const [year, mon] = month.split('-').map(Number) as [number, number];
    const label = new Date(Date.UTC(year, mon - 1, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
    expect(flat).toContain(`${label} ${year}`);
    expect(flat).toContain(`Page 1 of ${packet.pages}`);
    expect(flat).toContain(`Page ${packet.pages} of ${packet.pages}`);

    const scores = await t.services.compliance.computePractice(a.practice.id, new Date(monthEnd - 1));
    expect(scores.map((s) => s.framework).sort()).toEqual(['hipaa', 'pci-dss-4', 'soc2']);
    expect(scores.some((s) => s.score !== null && s.score > 0)).toBe(true);
    const names: Record<string, string> = { hipaa: 'HIPAA Security Rule', soc2: 'SOC 2', 'pci-dss-4': 'PCI DSS' };
    for (const s of scores) {
      expect(flat).toContain(`${names[s.framework]}: ${s.score === null ? 'no score' : `${s.score.toFixed(1)}%`}`);
      const assessed = s.controls.filter((c) => c.items.pass + c.items.fail + c.items.excepted > 0);
      expect(assessed.length).toBeGreaterThan(0);
      for (const c of assessed) expect(flat).toContain(c.id);
    }

    expect(text).toMatch(/L1\s+2\s+2\s+0\s+0\s+3\.0 s/);
    expect(text).toMatch(/L2\s+1\s+0\s+1\s+0\s+-/);
    expect(flat).toContain('Median time to heal: 3.0 s');
    expect(flat).toContain(`${SSH}.fix`);
    expect(flat).toContain('The lab analyser vendor');
    expect(flat).toContain('March upgrade');
    expect(flat).toContain('Test admin');
    expect(flat).toContain(fingerprint);
    for (const bundle of [bundles[0], bundles[4]]) expect(flat).toContain(bundle?.hash);
    const head = await sql<{
      root_hash: string;
    }>`SELECT root_hash FROM tree_heads ORDER BY tree_size DESC LIMIT 1`.execute(t.database.db);
    const root = head.rows[0]?.root_hash;
    expect(root).toBeTruthy();
    expect(flat).toContain(root);

    const pngDir = join(dir, backend);
    run('mkdir', ['-p', pngDir]);
    run('pdftoppm', ['-png', '-r', '50', file, join(pngDir, 'page')]);
    const pngs = readdirSync(pngDir).filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(packet.pages);
    for (const png of pngs) expect(statSync(join(pngDir, png)).size).toBeGreaterThan(500);
  });

  it('people of the practice, its partner and auditors read packets; viewers and auditors cannot make them', async () => {
    const [packet] = await list(admin, a.practice.id);
    if (!packet) throw new Error('no packet');
    const pdfUrl = `/v1/packets/${packet.id}/pdf`;
    const listUrl = `/v1/practices/${a.practice.id}/packets`;
    expectError(await t.anonymous.request({ method: 'GET', url: listUrl }), 401, 'UNAUTHENTICATED');
    expectError(await t.anonymous.request({ method: 'GET', url: pdfUrl }), 401, 'UNAUTHENTICATED');

    const other = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
    expectError(await other.request({ method: 'GET', url: listUrl }), 404, 'NOT_FOUND');
    expectError(await other.request({ method: 'GET', url: pdfUrl }), 404, 'NOT_FOUND');
    expectError(await other.request({ method: 'POST', url: listUrl, payload: { month } }), 404, 'NOT_FOUND');

    const auditor = await signInAs(t, { role: 'auditor', practiceId: a.practice.id });
    expect((await list(auditor, a.practice.id)).map((p) => p.id)).toEqual([packet.id]);
    expect((await auditor.request({ method: 'GET', url: pdfUrl })).statusCode).toBe(200);
    expectError(await auditor.request({ method: 'POST', url: listUrl, payload: { month } }), 403, 'FORBIDDEN');

    const viewer = await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id });
    expect((await viewer.request({ method: 'GET', url: pdfUrl })).statusCode).toBe(200);
    expectError(await viewer.request({ method: 'POST', url: listUrl, payload: { month } }), 403, 'FORBIDDEN');

    const technician = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    const earlier = await technician.request({ method: 'POST', url: listUrl, payload: { month: '2025-06' } });
    expect(earlier.statusCode, earlier.body).toBe(201);
    expect((earlier.json() as CompliancePacket).createdBy).toBe(technician.userId);
    expect((await list(technician, a.practice.id)).map((p) => p.month)).toEqual([month, '2025-06']);
  });
});
