import { Writable } from 'node:stream';
import type { NotificationChannel, NotificationDelivery, NotificationEvent, NotificationRule } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { SYSTEM_ACTOR } from '../../platform/context';
import {
  type Caller,
  createTestDatabase,
  signInAs,
  startTestApp,
  startTestHttpReceiver,
  type TestApp,
  type TestHttpReceiver,
  testBackends,
  testConfig,
} from '../../testing';
import { auditOf, createOk, createPartner, expectError, MISSING_ID, unique } from '../../testing/api';

const SECRET = 'whsec-never-shown-0123456789abcdef';
const SLACK_PATH = '/services/T0001/B0001/slackSecretPart42';

describe.each(testBackends)('notification channels, rules and routing on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let receiver: TestHttpReceiver;

  const event = (partnerId: string | null, overrides: Partial<NotificationEvent> = {}): NotificationEvent => ({
    type: 'escalation.created',
    priority: 'P2',
    partnerId,
    title: unique('Event'),
    body: 'Something needs a person.',
    dedupKey: unique('dedup'),
    ...overrides,
  });
  const webhook = (path = '/hook') => ({ kind: 'webhook', url: `${receiver.url}${path}`, secret: SECRET });
  const createChannel = (
    caller: Caller,
    partnerId: string | undefined,
    settings: Record<string, unknown> = webhook(),
  ) =>
    createOk<NotificationChannel>(caller, '/v1/notification-channels', {
      ...(partnerId ? { partnerId } : {}),
      name: unique('channel'),
      settings,
    });
  const createRule = (caller: Caller, body: Record<string, unknown>) =>
    createOk<NotificationRule>(caller, '/v1/notification-rules', body);
  const deliveries = async (caller: Caller, query = '') => {
    const res = await caller.request({ method: 'GET', url: `/v1/notification-deliveries?limit=200${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: NotificationDelivery[] }).items;
  };

  beforeAll(async () => {
    receiver = await startTestHttpReceiver();
    t = await startTestApp(backend, {
      NOTIFICATIONS_ALLOW_HTTP: true,
      NOTIFICATIONS_ALLOW_PRIVATE_TARGETS: true,
      NOTIFICATIONS_DIGEST_THRESHOLD: 3,
    });
    await t.services.notifications.stop();
    admin = await t.loginAs('admin');
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('lets partner admins manage their channels, technicians read them, and nobody reach another partner', async () => {
    const [a, b] = [await createPartner(admin), await createPartner(admin)];
    const adminA = await signInAs(t, { role: 'partner_admin', partnerId: a.id });
    const techA = await signInAs(t, { role: 'technician', partnerId: a.id });
    const adminB = await signInAs(t, { role: 'partner_admin', partnerId: b.id });
    const channel = await createChannel(adminA, undefined);
    expect(channel).toMatchObject({ partnerId: a.id, kind: 'webhook', isEnabled: true, secretHint: '••••cdef' });

    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/notification-channels' }), 401, 'UNAUTHENTICATED');
    const listA = await techA.request({ method: 'GET', url: '/v1/notification-channels' });
    expect((listA.json() as { items: NotificationChannel[] }).items.map((c) => c.id)).toEqual([channel.id]);
    expectError(
      await techA.request({ method: 'DELETE', url: `/v1/notification-channels/${channel.id}` }),
      403,
      'FORBIDDEN',
    );
    const listB = await adminB.request({ method: 'GET', url: '/v1/notification-channels' });
    expect((listB.json() as { items: NotificationChannel[] }).items).toEqual([]);
    for (const url of [`/v1/notification-channels/${channel.id}`, `/v1/notification-channels/${MISSING_ID}`])
      expectError(await adminB.request({ method: 'GET', url }), 404, 'NOT_FOUND');
    expectError(
      await adminB.request({ method: 'POST', url: `/v1/notification-channels/${channel.id}/test` }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await adminB.request({
        method: 'POST',
        url: '/v1/notification-channels',
        payload: { partnerId: a.id, name: 'Sneaky', settings: webhook() },
      }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await adminB.request({
        method: 'POST',
        url: '/v1/notification-rules',
        payload: { eventTypes: ['test'], minPriority: 'P4', channelIds: [channel.id] },
      }),
      404,
      'NOT_FOUND',
    );

    // Platform staff see platform channels, and a partner's when they ask.
    const platformList = (await admin.request({ method: 'GET', url: '/v1/notification-channels' })).json();
    expect(platformList.items.map((c: NotificationChannel) => c.id)).not.toContain(channel.id);
    const ofA = (await admin.request({ method: 'GET', url: `/v1/notification-channels?partnerId=${a.id}` })).json();
    expect(ofA.items.map((c: NotificationChannel) => c.id)).toEqual([channel.id]);

    const renamed = await adminA.request({
      method: 'PATCH',
      url: `/v1/notification-channels/${channel.id}`,
      payload: { name: 'On-call webhook', isEnabled: false },
    });
    expect(renamed.json()).toMatchObject({ name: 'On-call webhook', isEnabled: false });
    const deleted = await adminA.request({ method: 'DELETE', url: `/v1/notification-channels/${channel.id}` });
    expect(deleted.statusCode).toBe(204);
    expect((await auditOf(admin, channel.id)).map((e) => e.action).sort()).toEqual([
      'notification_channel.create',
      'notification_channel.delete',
      'notification_channel.update',
    ]);
  });

  it('refuses invalid channel settings', async () => {
    for (const settings of [
      { kind: 'webhook', url: 'not a url', secret: SECRET },
      { kind: 'webhook', url: `${receiver.url}/x`, secret: 'short' },
      { kind: 'email', addresses: ['not-an-address'] },
      { kind: 'sms', provider: 'twilio', accountSid: 'AC1', authToken: 'x'.repeat(20), from: '+1555', to: [] },
      { kind: 'pager', url: 'https://example.com' },
    ])
      expectError(
        await admin.request({ method: 'POST', url: '/v1/notification-channels', payload: { name: 'Bad', settings } }),
        400,
        'VALIDATION_FAILED',
      );
  });

  it('routes by event type and priority, and keeps partners apart', async () => {
    const [a, b] = [await createPartner(admin), await createPartner(admin)];
    const channelA = await createChannel(admin, a.id);
    const channelB = await createChannel(admin, b.id);
    await createRule(admin, {
      partnerId: a.id,
      eventTypes: ['escalation.created'],
      minPriority: 'P2',
      channelIds: [channelA.id],
    });
    await createRule(admin, {
      partnerId: b.id,
      eventTypes: ['escalation.created', 'exception.requested'],
      minPriority: 'P4',
      channelIds: [channelB.id],
    });
    const publish = (e: NotificationEvent) => t.services.notifications.publish(e);

    expect((await publish(event(a.id, { priority: 'P3' }))).queued).toBe(0);
    expect((await publish(event(a.id, { type: 'exception.requested', priority: 'P1' }))).queued).toBe(0);
    expect(await publish(event(a.id, { priority: 'P1' }))).toEqual({
      queued: 1,
      held: 0,
      suppressed: 0,
      platformChannels: 0,
    });
    expect((await publish(event(a.id, { priority: 'P2' }))).queued).toBe(1);
    // Partner B's rules match everything of B, and never see A's events.
    expect((await deliveries(admin, `&partnerId=${b.id}`)).length).toBe(0);
    expect((await publish(event(b.id, { type: 'exception.requested', priority: 'P4' }))).queued).toBe(1);

    const adminB = await signInAs(t, { role: 'partner_admin', partnerId: b.id });
    const seenByB = await deliveries(adminB);
    expect(seenByB.map((d) => d.channelId)).toEqual([channelB.id]);
    expect((await deliveries(admin, `&partnerId=${a.id}`)).every((d) => d.channelId === channelA.id)).toBe(true);

    // A platform rule sees every partner's events.
    const platform = await createChannel(admin, undefined);
    const rule = await createRule(admin, {
      eventTypes: ['appliance.offline'],
      minPriority: 'P4',
      channelIds: [platform.id],
    });
    expect((await publish(event(a.id, { type: 'appliance.offline' }))).queued).toBe(1);
    expect((await publish(event(null, { type: 'appliance.offline' }))).queued).toBe(1);
    expect((await deliveries(admin)).filter((d) => d.channelId === platform.id)).toHaveLength(2);
    expect((await admin.request({ method: 'DELETE', url: `/v1/notification-rules/${rule.id}` })).statusCode).toBe(204);
  });

  it('folds a repeated dedupKey within 15 minutes, counting the repeats', async () => {
    const partner = await createPartner(admin);
    const channel = await createChannel(admin, partner.id);
    await createRule(admin, {
      partnerId: partner.id,
      eventTypes: ['escalation.breached'],
      minPriority: 'P4',
      channelIds: [channel.id],
    });
    const repeated = event(partner.id, { type: 'escalation.breached', dedupKey: 'escalation:42:breached' });
    expect((await t.services.notifications.publish(repeated)).queued).toBe(1);
    expect(await t.services.notifications.publish(repeated)).toEqual({
      queued: 0,
      held: 0,
      suppressed: 1,
      platformChannels: 0,
    });
    expect((await t.services.notifications.publish(repeated)).suppressed).toBe(1);
    const [only] = await deliveries(admin, `&partnerId=${partner.id}`);
    expect(only?.suppressedCount).toBe(2);
    t.clock.advance(16 * 60_000);
    expect((await t.services.notifications.publish(repeated)).queued).toBe(1);
  });

  it('holds a flood and sends it as one digest at the end of the window', async () => {
    // Earlier tests left deliveries queued: send them first.
    await t.services.notifications.deliverDue(500);
    receiver.requests.splice(0);
    const partner = await createPartner(admin);
    const channel = await createChannel(admin, partner.id, webhook('/flood'));
    await createRule(admin, {
      partnerId: partner.id,
      eventTypes: ['evidence.rejected'],
      minPriority: 'P4',
      channelIds: [channel.id],
    });
    const titles = Array.from({ length: 6 }, (_, i) => `Evidence bundle ${i} rejected`);
    const results = [];
    for (const title of titles)
      results.push(await t.services.notifications.publish(event(partner.id, { type: 'evidence.rejected', title })));
    expect(results.map((r) => (r.queued ? 'queued' : 'held'))).toEqual([
      'queued',
      'queued',
      'queued',
      'held',
      'held',
      'held',
    ]);
    await t.services.notifications.deliverDue();
    expect(receiver.requests).toHaveLength(3);
    const rows = await deliveries(admin, `&partnerId=${partner.id}`);
    expect(rows.filter((d) => d.status === 'held')).toHaveLength(3);
    expect(rows.filter((d) => d.isDigest)).toHaveLength(1);

    t.clock.advance(15 * 60_000 + 1_000);
    await t.services.notifications.deliverDue();
    expect(receiver.requests).toHaveLength(4);
    const digest = JSON.parse(receiver.requests[3]?.body ?? '');
    expect(digest.title).toContain('3 notifications');
    expect(digest.digest.map((i: { title: string }) => i.title)).toEqual(titles.slice(3));
    const after = await deliveries(admin, `&partnerId=${partner.id}`);
    expect(after.filter((d) => d.status === 'digested')).toHaveLength(3);
    expect(after.find((d) => d.isDigest)?.status).toBe('sent');
  });

  it('answers a test send with its outcome and validates rules against the tenant', async () => {
    receiver.answer(() => ({ status: 200 }));
    const partner = await createPartner(admin);
    const adminP = await signInAs(t, { role: 'partner_admin', partnerId: partner.id });
    const channel = await createChannel(adminP, undefined);
    const res = await adminP.request({ method: 'POST', url: `/v1/notification-channels/${channel.id}/test` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'sent',
      eventType: 'test',
      lastStatusCode: 200,
      channelName: channel.name,
    });
    const platformChannel = await createChannel(admin, undefined);
    expectError(
      await adminP.request({
        method: 'POST',
        url: '/v1/notification-rules',
        payload: { eventTypes: ['test'], minPriority: 'P4', channelIds: [platformChannel.id] },
      }),
      404,
      'NOT_FOUND',
    );
    const rule = await createRule(adminP, { eventTypes: ['test'], minPriority: 'P4', channelIds: [channel.id] });
    const changed = await adminP.request({
      method: 'PATCH',
      url: `/v1/notification-rules/${rule.id}`,
      payload: { minPriority: 'P1', eventTypes: ['test', 'appliance.offline'] },
    });
    expect(changed.json()).toMatchObject({
      minPriority: 'P1',
      eventTypes: ['test', 'appliance.offline'],
      channelIds: [channel.id],
    });
    expectError(
      await adminP.request({
        method: 'POST',
        url: '/v1/notification-rules',
        payload: { eventTypes: ['nope'], minPriority: 'P4', channelIds: [channel.id] },
      }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('notification secrets', () => {
  it('never appear in API answers or logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const receiver = await startTestHttpReceiver();
    const testDb = await createTestDatabase('pglite');
    const { app, services } = await buildApp({
      config: testConfig({
        LOG_LEVEL: 'trace',
        NOTIFICATIONS_ALLOW_HTTP: true,
        NOTIFICATIONS_ALLOW_PRIVATE_TARGETS: true,
      }),
      database: testDb.database,
      logStream: sink,
    });
    try {
      const { token } = await services.accounts.invite(SYSTEM_ACTOR, {
        email: 'n@test.example',
        role: 'admin',
        expiresInHours: 1,
      });
      await app.inject({
        method: 'POST',
        url: '/v1/auth/invitations/accept',
        payload: { token, name: 'N', password: 'secret-pass-phrase-1' },
      });
      const login = await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'n@test.example', password: 'secret-pass-phrase-1' },
      });
      const headers = {
        cookie: `osiris_session=${login.cookies.find((c) => c.name === 'osiris_session')?.value}`,
        'x-csrf-token': (login.json() as { csrfToken: string }).csrfToken,
      };
      const slackUrl = `${receiver.url}${SLACK_PATH}`;
      const answers: string[] = [];
      const send = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
        const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
        answers.push(res.body);
        return res;
      };
      const hookSettings = { kind: 'webhook', url: `${receiver.url}/hook`, secret: SECRET };
      const hook = (await send('POST', '/v1/notification-channels', { name: 'Hook', settings: hookSettings })).json();
      const slack = (
        await send('POST', '/v1/notification-channels', { name: 'Slack', settings: { kind: 'slack', url: slackUrl } })
      ).json();
      expect(slack.secretHint).toBe(`127.0.0.1:${receiver.port}/…rt42`);
      receiver.answer(() => ({ status: 500 }));
      await send('POST', `/v1/notification-channels/${hook.id}/test`);
      receiver.answer(() => ({ status: 200 }));
      await send('POST', `/v1/notification-channels/${slack.id}/test`);
      await send('GET', '/v1/notification-channels');
      await send('GET', `/v1/notification-channels/${slack.id}`);
      await send('GET', '/v1/notification-deliveries');
      await send('GET', `/v1/admin/audit?targetId=${slack.id}`);
      expect(receiver.requests.map((r) => r.path)).toEqual(['/hook', SLACK_PATH]);
      const logged = lines.join('');
      expect(logged).toContain('notification sent');
      expect(logged).toContain('giving up');
      for (const text of [answers.join('\n'), logged]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain('slackSecretPart42');
      }
    } finally {
      await app.close();
      await testDb.drop();
      await receiver.close();
    }
  });
});
