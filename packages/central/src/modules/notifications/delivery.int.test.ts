import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NotificationChannel, NotificationDelivery, NotificationEvent } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  type ReceivedRequest,
  startTestApp,
  startTestHttpReceiver,
  startTestSmtpServer,
  type TestApp,
  type TestHttpReceiver,
  type TestSmtpServer,
  testBackends,
} from '../../testing';
import { createOk, createPartner, unique } from '../../testing/api';

const SECRET = 'whsec-0123456789abcdef-0123456789';
const SID = `AC${'ab'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-0123456789';

/** The receiving side of a webhook: the check a partner's endpoint makes. */
function verifyWebhook(request: ReceivedRequest, secret: string, nowSeconds: number): boolean {
  const timestamp = String(request.headers['x-osiris-timestamp'] ?? '');
  const signature = String(request.headers['x-osiris-signature'] ?? '');
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`;
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

describe.each(testBackends)('notification delivery on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let receiver: TestHttpReceiver;
  let smtp: TestSmtpServer;

  const event = (partnerId: string, overrides: Partial<NotificationEvent> = {}): NotificationEvent => ({
    type: 'escalation.created',
    priority: 'P2',
    partnerId,
    title: 'Root can log in over SSH on web01',
    body: 'The fix needs a person: create personal admin accounts first.',
    link: 'https://central.example/partner/escalations',
    dedupKey: unique('dedup'),
    ...overrides,
  });

  /** A fresh partner with one channel and a rule sending it every event. */
  async function channelFor(settings: Record<string, unknown>) {
    const partner = await createPartner(admin);
    const channel = await createOk<NotificationChannel>(admin, '/v1/notification-channels', {
      partnerId: partner.id,
      name: unique('channel'),
      settings,
    });
    await createOk(admin, '/v1/notification-rules', {
      partnerId: partner.id,
      eventTypes: ['escalation.created', 'test'],
      minPriority: 'P4',
      channelIds: [channel.id],
    });
    return { partnerId: partner.id, channel };
  }
  const deliveriesOf = async (partnerId: string, channelId: string) => {
    const res = await admin.request({
      method: 'GET',
      url: `/v1/notification-deliveries?partnerId=${partnerId}&channelId=${channelId}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: NotificationDelivery[] }).items;
  };
  const fresh = (r: TestHttpReceiver) => r.requests.splice(0);

  beforeAll(async () => {
    receiver = await startTestHttpReceiver();
    smtp = await startTestSmtpServer();
    t = await startTestApp(backend, {
      NOTIFICATIONS_ALLOW_HTTP: true,
      NOTIFICATIONS_ALLOW_PRIVATE_TARGETS: true,
      NOTIFICATIONS_TIMEOUT_MS: 500,
      NOTIFICATIONS_MAX_ATTEMPTS: 3,
      SMTP_URL: smtp.url,
      SMS_TWILIO_BASE_URL: `${receiver.url}/twilio`,
    });
    // The tests drive delivery rounds themselves (and move the clock).
    await t.services.notifications.stop();
    admin = await t.loginAs('admin');
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await smtp?.close();
  });

  it('signs webhook deliveries so the receiver can verify body and timestamp', async () => {
    receiver.answer(() => ({ status: 204 }));
    const { partnerId, channel } = await channelFor({ kind: 'webhook', url: `${receiver.url}/hook`, secret: SECRET });
    const sent = event(partnerId);
    expect(await t.services.notifications.publish(sent)).toEqual({
      queued: 1,
      held: 0,
      suppressed: 0,
      platformChannels: 0,
    });
    await t.services.notifications.deliverDue();
    const [request] = fresh(receiver);
    expect(request?.path).toBe('/hook');
    expect(request?.headers['content-type']).toBe('application/json');
    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
    expect(verifyWebhook(request as ReceivedRequest, SECRET, nowSeconds)).toBe(true);
    expect(verifyWebhook(request as ReceivedRequest, `${SECRET}x`, nowSeconds)).toBe(false);
    expect(verifyWebhook(request as ReceivedRequest, SECRET, nowSeconds + 3600)).toBe(false);
    expect(verifyWebhook({ ...(request as ReceivedRequest), body: `${request?.body} ` }, SECRET, nowSeconds)).toBe(
      false,
    );
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      type: 'escalation.created',
      priority: 'P2',
      partnerId,
      title: sent.title,
      body: sent.body,
      link: sent.link,
      digest: null,
    });
    const [delivery] = await deliveriesOf(partnerId, channel.id);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, lastStatusCode: 204, lastError: null });
  });

  it('speaks Slack, Teams and Twilio, and hands email to the outbox', async () => {
    receiver.answer(() => ({ status: 200, body: 'ok' }));
    const slack = await channelFor({ kind: 'slack', url: `${receiver.url}/services/T000/B000/XXXX` });
    await t.services.notifications.publish(event(slack.partnerId));
    await t.services.notifications.deliverDue();
    const [slackRequest] = fresh(receiver);
    const slackBody = JSON.parse(slackRequest?.body ?? '');
    expect(slackRequest?.path).toBe('/services/T000/B000/XXXX');
    expect(slackBody.text).toBe('[P2] Root can log in over SSH on web01');
    expect(slackBody.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(slackBody.blocks[1].text).toMatchObject({ type: 'mrkdwn', text: expect.stringContaining('personal admin') });

    const teams = await channelFor({ kind: 'teams', url: `${receiver.url}/webhookb2/abc` });
    await t.services.notifications.publish(event(teams.partnerId));
    await t.services.notifications.deliverDue();
    const teamsBody = JSON.parse(fresh(receiver)[0]?.body ?? '');
    expect(teamsBody.type).toBe('message');
    expect(teamsBody.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teamsBody.attachments[0].content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(teamsBody.attachments[0].content.body[0]).toMatchObject({ type: 'TextBlock', text: expect.any(String) });
    expect(teamsBody.attachments[0].content.actions[0]).toMatchObject({ type: 'Action.OpenUrl' });

    const sms = await channelFor({
      kind: 'sms',
      provider: 'twilio',
      accountSid: SID,
      authToken: TOKEN,
      from: '+15550001111',
      to: ['+15550002222', '+15550003333'],
    });
    await t.services.notifications.publish(event(sms.partnerId));
    await t.services.notifications.deliverDue();
    const texts = fresh(receiver);
    expect(texts).toHaveLength(2);
    for (const [i, text] of texts.entries()) {
      expect(text.method).toBe('POST');
      expect(text.path).toBe(`/twilio/2010-04-01/Accounts/${SID}/Messages.json`);
      expect(text.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
      expect(text.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = new URLSearchParams(text.body);
      expect(form.get('From')).toBe('+15550001111');
      expect(form.get('To')).toBe(i === 0 ? '+15550002222' : '+15550003333');
      expect(form.get('Body')).toContain('[P2] Root can log in over SSH');
    }

    const to = `${unique('oncall')}@test.example`;
    const mail = await channelFor({ kind: 'email', addresses: [to] });
    await t.services.notifications.publish(event(mail.partnerId));
    await t.services.notifications.deliverDue();
    const received = await smtp.waitFor(to);
    expect(received.subject).toBe('[P2] Root can log in over SSH on web01');
    expect(received.text).toContain('personal admin accounts');
    expect((await deliveriesOf(mail.partnerId, mail.channel.id))[0]).toMatchObject({ status: 'sent' });
  });

  it('times out a hanging target and retries it later', async () => {
    receiver.answer(() => 'hang');
    const { partnerId, channel } = await channelFor({ kind: 'webhook', url: `${receiver.url}/slow`, secret: SECRET });
    await t.services.notifications.publish(event(partnerId));
    const started = Date.now();
    await t.services.notifications.deliverDue();
    expect(Date.now() - started).toBeLessThan(3_000);
    const [first] = await deliveriesOf(partnerId, channel.id);
    expect(first).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastStatusCode: null,
      lastError: 'timed out after 500 ms',
    });
    const waitMs = Date.parse(first?.nextAttemptAt ?? '') - t.clock.now().getTime();
    expect(waitMs).toBeGreaterThan(10_000);
    expect(waitMs).toBeLessThanOrEqual(30_000);

    receiver.answer(() => ({ status: 200 }));
    await t.services.notifications.deliverDue();
    expect((await deliveriesOf(partnerId, channel.id))[0]?.attempts).toBe(1);
    t.clock.advance(31_000);
    await t.services.notifications.deliverDue();
    expect((await deliveriesOf(partnerId, channel.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    fresh(receiver);
  });

  it('retries a 500 with growing backoff, then gives up after the last attempt', async () => {
    receiver.answer(() => ({ status: 500, body: 'boom' }));
    const { partnerId, channel } = await channelFor({ kind: 'webhook', url: `${receiver.url}/broken`, secret: SECRET });
    await t.services.notifications.publish(event(partnerId));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await t.services.notifications.deliverDue();
      const [row] = await deliveriesOf(partnerId, channel.id);
      expect(row).toMatchObject({ attempts: attempt, lastStatusCode: 500, lastError: 'HTTP 500' });
      if (attempt < 3) {
        waits.push(Date.parse(row?.nextAttemptAt ?? '') - t.clock.now().getTime());
        t.clock.advance(2 * 60 * 60_000);
      } else expect(row).toMatchObject({ status: 'failed', nextAttemptAt: null });
    }
    expect(waits[0]).toBeGreaterThan(14_000);
    expect(waits[1]).toBeGreaterThan(29_000);
    expect(waits[1]).toBeLessThanOrEqual(60_000);
    t.clock.advance(2 * 60 * 60_000);
    await t.services.notifications.deliverDue();
    expect(fresh(receiver)).toHaveLength(3);
  });

  it('never follows a redirect, even one to loopback', async () => {
    const inner = await startTestHttpReceiver();
    receiver.answer(() => ({ status: 302, headers: { location: `${inner.url}/internal` } }));
    const { partnerId, channel } = await channelFor({ kind: 'webhook', url: `${receiver.url}/moved`, secret: SECRET });
    const outcome = await admin.request({ method: 'POST', url: `/v1/notification-channels/${channel.id}/test` });
    expect(outcome.statusCode, outcome.body).toBe(200);
    expect(outcome.json()).toMatchObject({ status: 'failed', lastStatusCode: 302, eventType: 'test' });
    expect((outcome.json() as NotificationDelivery).lastError).toContain('redirects are not followed');
    expect(inner.requests).toHaveLength(0);
    expect((await deliveriesOf(partnerId, channel.id))[0]?.status).toBe('failed');
    fresh(receiver);
    await inner.close();
  });

  it('refuses a host resolving to a private address when the allow flag is off, sending nothing', async () => {
    const strict = await startTestApp(backend, { NOTIFICATIONS_ALLOW_HTTP: true });
    try {
      const strictAdmin = await strict.loginAs('admin');
      const literal = await strictAdmin.request({
        method: 'POST',
        url: '/v1/notification-channels',
        payload: { name: 'Loopback', settings: { kind: 'webhook', url: `${receiver.url}/x`, secret: SECRET } },
      });
      expect(literal.statusCode, literal.body).toBe(400);
      const channel = await createOk<NotificationChannel>(strictAdmin, '/v1/notification-channels', {
        name: 'Looks public',
        settings: { kind: 'slack', url: `http://localhost:${receiver.port}/services/T/B/secret` },
      });
      const outcome = await strictAdmin.request({
        method: 'POST',
        url: `/v1/notification-channels/${channel.id}/test`,
      });
      expect(outcome.json()).toMatchObject({ status: 'failed', lastStatusCode: null });
      expect((outcome.json() as NotificationDelivery).lastError).toContain('private or internal address');
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
