import { randomUUID } from 'node:crypto';
import type {
  ApplianceEscalationRequest,
  Escalation,
  EscalationNote,
  EscalationPriority,
  NotificationDelivery,
} from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditOf, createTenant, expectError, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';
import { signInAs } from '../../testing/principals';

const MINUTE = 60_000;

describe.each(testBackends)('escalation SLAs, assignment, notes and breaches on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let a: Tenant;
  let b: Tenant;
  let applianceA: Awaited<ReturnType<typeof registerTestAppliance>>;
  let partnerAdminA: Caller;
  let technicianA: Caller;
  let partnerAdminB: Caller;

  const send = async (priority: EscalationPriority): Promise<Escalation> => {
    const body: ApplianceEscalationRequest = {
      schemaVersion: 1,
      id: randomUUID(),
      hostId: randomUUID(),
      hostname: 'ehr-db-01',
      checkId: 'linux.accounts.uid0-only-root',
      priority,
      summary: 'A second account has UID 0; removing it needs a person.',
      detected: { reason: 'UID 0: root, backup', observed: { uid0: ['root', 'backup'] } },
      attempts: [],
      evidenceSeqs: [7],
      createdAt: t.clock.now().toISOString(),
    };
    const res = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/escalations',
      payload: body,
      headers: { authorization: `Bearer ${applianceA.token}` },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Escalation;
  };
  const dueIn = (e: Escalation) => Date.parse(e.slaDueAt) - Date.parse(e.receivedAt);

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    a = await createTenant(admin);
    b = await createTenant(admin);
    applianceA = await registerTestAppliance(t, admin, a.site.id);
    partnerAdminA = await signInAs(t, { role: 'partner_admin', partnerId: a.partner.id });
    technicianA = await signInAs(t, { role: 'technician', partnerId: a.partner.id });
    partnerAdminB = await signInAs(t, { role: 'partner_admin', partnerId: b.partner.id });
  });
  afterAll(() => t.close());

  it('uses the default acknowledge SLAs, and a partner override for new escalations', async () => {
    expect(dueIn(await send('P1'))).toBe(15 * MINUTE);
    expect(dueIn(await send('P2'))).toBe(60 * MINUTE);
    expect(dueIn(await send('P3'))).toBe(240 * MINUTE);
    expect(dueIn(await send('P4'))).toBe(480 * MINUTE);

    const url = `/v1/partners/${a.partner.id}/escalation-sla`;
    expectError(await technicianA.request({ method: 'PUT', url, payload: { P1: 10 } }), 403, 'FORBIDDEN');
    expectError(await partnerAdminB.request({ method: 'PUT', url, payload: { P1: 10 } }), 404, 'NOT_FOUND');
    expectError(await partnerAdminA.request({ method: 'PUT', url, payload: { P1: 1 } }), 400, 'VALIDATION_FAILED');
    const set = await partnerAdminA.request({ method: 'PUT', url, payload: { P1: 10, P4: 1440 } });
    expect(set.json()).toEqual({ P1: 10, P2: 60, P3: 240, P4: 1440 });
    expect((await technicianA.request({ method: 'GET', url })).json()).toEqual({ P1: 10, P2: 60, P3: 240, P4: 1440 });
    expect(dueIn(await send('P1'))).toBe(10 * MINUTE);
    expect(dueIn(await send('P4'))).toBe(1440 * MINUTE);
    expect((await partnerAdminA.request({ method: 'PUT', url, payload: {} })).json()).toEqual({
      P1: 15,
      P2: 60,
      P3: 240,
      P4: 480,
    });
  });

  it('assigns to partner people or platform staff only, and keeps notes in order', async () => {
    const e = await send('P2');
    const assign = (caller: Caller, userId: string | null) =>
      caller.request({ method: 'POST', url: `/v1/escalations/${e.id}/assign`, payload: { userId } });
    const assigned = await assign(technicianA, technicianA.userId);
    expect(assigned.json()).toMatchObject({ assignedTo: technicianA.userId });
    expectError(await assign(partnerAdminA, partnerAdminB.userId), 400, 'VALIDATION_FAILED'); // another partner's person
    expectError(await assign(partnerAdminB, partnerAdminB.userId), 404, 'NOT_FOUND');
    const mine = await technicianA.request({ method: 'GET', url: '/v1/escalations?assignee=me' });
    expect((mine.json() as { items: Escalation[] }).items.map((x) => x.id)).toEqual([e.id]);
    expect((await assign(admin, null)).json()).toMatchObject({ assignedTo: null, assignedAt: null });

    const notesUrl = `/v1/escalations/${e.id}/notes`;
    for (const body of ['Called the practice manager.', 'Backup vendor will remove the account tonight.'])
      expect((await technicianA.request({ method: 'POST', url: notesUrl, payload: { body } })).statusCode).toBe(201);
    expectError(
      await technicianA.request({ method: 'POST', url: notesUrl, payload: { body: '' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await partnerAdminB.request({ method: 'GET', url: notesUrl }), 404, 'NOT_FOUND');
    const notes = (await partnerAdminA.request({ method: 'GET', url: notesUrl })).json() as { items: EscalationNote[] };
    expect(notes.items.map((n) => n.body)).toEqual([
      'Called the practice manager.',
      'Backup vendor will remove the account tonight.',
    ]);
    expect(notes.items[0]?.authorId).toBe(technicianA.userId);
    expect((await auditOf(admin, e.id)).map((x) => x.action)).toEqual(
      expect.arrayContaining(['escalation.assign', 'escalation.unassign', 'escalation.note']),
    );
  });

  it('emails the platform admins about a breach when no platform channel is routed for it', async () => {
    await t.services.escalations.breachDue(); // whatever is due already
    const urgent = await send('P1');
    t.clock.advance(16 * MINUTE);
    expect(await t.services.escalations.breachDue()).toBeGreaterThanOrEqual(1);
    const mails = await t.database.db
      .selectFrom('email_outbox')
      .select(['to_address', 'subject', 'text_body'])
      .where('template', '=', 'notification')
      .where('to_address', '=', admin.email ?? '')
      .execute();
    const mail = mails.find((m) => String(m.text_body).includes(`/go/escalations/${urgent.id}`));
    expect(mail?.subject).toContain('SLA breached: P1 escalation on ehr-db-01');
  });

  it('escalates an unacknowledged escalation to the platform once its SLA passes, once', async () => {
    await t.services.escalations.breachDue(); // earlier tests' escalations, whatever is already due
    // The platform's on-call channel hears of breaches; partner A's channel hears of new escalations.
    const channel = async (partnerId: string | null, eventTypes: string[]) => {
      const created = await admin.request({
        method: 'POST',
        url: '/v1/notification-channels',
        payload: {
          ...(partnerId ? { partnerId } : {}),
          name: `on-call ${eventTypes[0]}`,
          settings: { kind: 'email', addresses: ['oncall@test.example'] },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const rule = await admin.request({
        method: 'POST',
        url: '/v1/notification-rules',
        payload: {
          ...(partnerId ? { partnerId } : {}),
          eventTypes,
          minPriority: 'P4',
          channelIds: [created.json().id],
        },
      });
      expect(rule.statusCode, rule.body).toBe(201);
      return created.json().id as string;
    };
    const platformChannel = await channel(null, ['escalation.breached']);
    const partnerChannel = await channel(a.partner.id, ['escalation.created']);
    const urgent = await send('P1');
    const calm = await send('P4');
    const acked = await send('P1');
    await technicianA.request({ method: 'POST', url: `/v1/escalations/${acked.id}/acknowledge` });
    expect(urgent.slaRemainingMs).toBe(15 * MINUTE);
    expect(await t.services.escalations.breachDue()).toBe(0);

    // Earlier tests' escalations (a 10-minute P1 among them) fall due in the same 16 minutes.
    const open = (await admin.request({ method: 'GET', url: '/v1/escalations?state=open&limit=200' })).json() as {
      items: Escalation[];
    };
    const dueBy = t.clock.now().getTime() + 16 * MINUTE;
    const expected = open.items.filter((x) => x.breachedAt === null && Date.parse(x.slaDueAt) <= dueBy);
    expect(expected.map((x) => x.id)).toContain(urgent.id);
    expect(expected.map((x) => x.id)).not.toContain(calm.id);
    t.clock.advance(16 * MINUTE);
    expect(await t.services.escalations.breachDue()).toBe(expected.length);
    expect(await t.services.escalations.breachDue()).toBe(0); // once
    const after = (await admin.request({ method: 'GET', url: `/v1/escalations/${urgent.id}` })).json() as Escalation;
    expect(after.breachedAt).not.toBeNull();
    expect(after.isOverdue).toBe(true);
    expect(after.slaRemainingMs).toBeLessThan(0);
    const calmAfter = (await admin.request({ method: 'GET', url: `/v1/escalations/${calm.id}` })).json() as Escalation;
    expect(calmAfter.breachedAt).toBeNull();
    const ackedAfter = (
      await admin.request({ method: 'GET', url: `/v1/escalations/${acked.id}` })
    ).json() as Escalation;
    expect(ackedAfter).toMatchObject({ breachedAt: null, slaRemainingMs: null });
    expect((await auditOf(admin, urgent.id)).map((x) => x.action)).toContain('escalation.breach');

    const deliveries = async (channelId: string, partnerId?: string) =>
      (
        (
          await admin.request({
            method: 'GET',
            url: `/v1/notification-deliveries?channelId=${channelId}${partnerId ? `&partnerId=${partnerId}` : ''}`,
          })
        ).json() as { items: NotificationDelivery[] }
      ).items;
    const breaches = await deliveries(platformChannel);
    expect(breaches.filter((d) => d.title.includes('ehr-db-01'))).toHaveLength(expected.length);
    expect(breaches.every((d) => d.eventType === 'escalation.breached')).toBe(true);
    // Three escalations arrived after partner A's rule existed.
    expect((await deliveries(partnerChannel, a.partner.id)).map((d) => d.eventType)).toEqual([
      'escalation.created',
      'escalation.created',
      'escalation.created',
    ]);
  });
});
