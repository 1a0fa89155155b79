import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type TestApp, startTestApp, testBackends } from '../../testing';

describe.each(testBackends)('audit log on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
  });
  afterAll(() => t.close());

  const entries = async (query = '', limit = 500) =>
    (await admin.request({ method: 'GET', url: `/v1/admin/audit?limit=${limit}${query}` })).json();

  it('writes one entry per mutation, naming actor, target and request', async () => {
    const created = await admin.request({
      method: 'POST',
      url: '/v1/partners',
      payload: { name: 'Audit MSP', slug: 'audit-msp' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    const page = await entries(`&targetId=${id}`);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      action: 'partner.create',
      actorType: 'user',
      actorId: admin.userId,
      actorLabel: admin.email,
      targetType: 'partner',
      targetId: id,
      outcome: 'success',
      requestId: created.headers['x-request-id'],
    });
    expect(page.items[0].details.after.slug).toBe('audit-msp');
  });

  it('writes nothing when the change itself fails (same transaction)', async () => {
    const before = (await entries('&action=partner.create')).items.length;
    const duplicate = await admin.request({
      method: 'POST',
      url: '/v1/partners',
      payload: { name: 'Again', slug: 'audit-msp' },
    });
    expect(duplicate.statusCode).toBe(409);
    expect((await entries('&action=partner.create')).items.length).toBe(before);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows at the database', async () => {
    const { db } = t.database;
    await expect(sql`UPDATE audit_log SET action = 'x'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect((await admin.request({ method: 'GET', url: '/v1/admin/audit/verify' })).json().ok).toBe(true);
  });

  it('keeps one unbroken chain under concurrent writers', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        admin.request({
          method: 'POST',
          url: '/v1/partners',
          payload: { name: `Parallel ${i}`, slug: `parallel-${i}` },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const verify = (await admin.request({ method: 'GET', url: '/v1/admin/audit/verify' })).json();
    expect(verify).toMatchObject({ ok: true, firstBad: null });
    const all = (await entries()).items as { seq: number }[];
    expect(verify.checked).toBe(all.length);
    const seqs = all.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('filters by action, actor, outcome and time, and pages with a cursor', async () => {
    const mine = (await entries(`&actorId=${admin.userId}`)).items as { actorId: string }[];
    expect(mine.length).toBeGreaterThan(20);
    expect(mine.every((e) => e.actorId === admin.userId)).toBe(true);
    const first = (await admin.request({ method: 'GET', url: '/v1/admin/audit?limit=5' })).json();
    expect(first.items).toHaveLength(5);
    const second = (
      await admin.request({ method: 'GET', url: `/v1/admin/audit?limit=5&cursor=${first.nextCursor}` })
    ).json();
    expect(second.items[0].seq).toBe(first.items[4].seq - 1);
    const future = (await entries(`&from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).items;
    expect(future).toHaveLength(0);
    const failures = (await entries('&outcome=failure')).items as { outcome: string }[];
    expect(failures.every((e) => e.outcome === 'failure')).toBe(true);
  });

  it('refuses bad filters with 400', async () => {
    const response = await admin.request({ method: 'GET', url: '/v1/admin/audit?cursor=abc&bogus=1' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['cursor', 'bogus']),
    );
  });

  it('names the entry a superuser edited behind the trigger', async () => {
    const target = (await entries('&action=partner.create', 1)).items[0] as { id: string; seq: number };
    const { db } = t.database;
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`.execute(db);
    await sql`UPDATE audit_log SET details = jsonb_set(details, '{after,name}', '"Forged"') WHERE id = ${target.id}`.execute(
      db,
    );
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`.execute(db);
    const verify = (await admin.request({ method: 'GET', url: '/v1/admin/audit/verify' })).json();
    expect(verify.ok).toBe(false);
    expect(verify.firstBad).toEqual({ id: target.id, seq: target.seq, reason: 'hash_mismatch' });
  });
});
