import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestClock,
  createTestDatabase,
  startTestSmtpServer,
  type TestClock,
  type TestDatabase,
  type TestSmtpServer,
  testBackends,
} from '../../testing';
import type { TemplateData, TemplateName } from './email.templates';
import { createEmailModule } from '.';

const FROM = 'OsirisCare <no-reply@osiris.local>';
const LINK = 'https://central.example/v1/auth/link?token=single-use-secret';

const samples: { [T in TemplateName]: TemplateData[T] } = {
  sign_in_link: { link: LINK, expiresMinutes: 15 },
  invitation: {
    link: 'https://central.example/invite?token=invite-secret',
    inviterName: 'Dana Admin',
    organisationName: 'Northside MSP',
    role: 'operator',
    expiresHours: 72,
  },
  auditor_invitation: {
    link: 'http://127.0.0.1:8080/audit?token=auditor-secret',
    practiceName: 'Riverside Dental',
    inviterName: 'Dana Admin',
    validFrom: '2026-03-03T14:05:00.000Z',
    validUntil: '2026-04-01T00:00:00.000Z',
  },
  partner_pending: { partnerName: 'Northside MSP' },
  partner_approved: { partnerName: 'Northside MSP', signInUrl: 'https://central.example/sign-in' },
  partner_rejected: { partnerName: 'Northside MSP', reason: 'We could not verify the business.' },
  partner_signup_review: {
    partnerName: 'Northside MSP',
    email: 'owner@northside.example',
    reviewUrl: 'https://central.example/admin/partners/42',
  },
  practice_transfer_decided: {
    practiceName: 'Riverside Dental',
    fromPartnerName: 'Northside MSP',
    toPartnerName: 'Southside IT',
    isApproved: true,
    note: 'Moved at the request of the practice owner.',
  },
  notification: {
    title: '[P2] Exception requested at Riverside Dental',
    lines: ['A technician asked to excuse web01 from the SSH root-login check.'],
    channelName: 'Compliance desk',
  },
};
const linkOf: Partial<Record<TemplateName, string>> = {
  sign_in_link: samples.sign_in_link.link,
  invitation: samples.invitation.link,
  auditor_invitation: samples.auditor_invitation.link,
  partner_approved: samples.partner_approved.signInUrl,
  partner_signup_review: samples.partner_signup_review.reviewUrl,
};

/** A loopback port where nothing listens: a server was there and is gone. */
async function deadPort(): Promise<number> {
  const server = await startTestSmtpServer();
  await server.close();
  return server.port;
}

describe.each(testBackends)('email on %s', (backend) => {
  let testDb: TestDatabase;
  let smtp: TestSmtpServer;
  let clock: TestClock;
  let logs: string[];

  const db = () => testDb.database.db;
  const emailService = (
    config: { SMTP_URL?: string | undefined; EMAIL_MAX_ATTEMPTS?: number } = {},
    transport?: Parameters<typeof createEmailModule>[0]['transport'],
  ) =>
    createEmailModule({
      db: db(),
      config: { EMAIL_FROM: FROM, EMAIL_MAX_ATTEMPTS: 8, SMTP_URL: smtp.url, ...config },
      log: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      now: clock.now,
      transport,
    }).service;
  type Service = ReturnType<typeof emailService>;
  const enqueue = <T extends TemplateName>(service: Service, to: string, template: T, data: TemplateData[T]) =>
    db()
      .transaction()
      .execute((trx) => service.enqueue(trx, { to, template, data }));
  const row = (id: string) =>
    db().selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    await db().deleteFrom('email_outbox').execute();
    clock = createTestClock();
    logs = [];
  });

  it('delivers every template over SMTP with a text and an HTML part and its absolute link', async () => {
    const service = emailService();
    const names = Object.keys(samples) as TemplateName[];
    const ids = await db()
      .transaction()
      .execute(async (trx) => {
        const out: string[] = [];
        for (const name of names) {
          const { id } = await service.enqueue(trx, {
            to: `${name}-${backend}@practice.example`,
            template: name,
            data: samples[name] as never,
          });
          out.push(id);
        }
        return out;
      });
    expect(await service.deliverDue()).toEqual({ sent: names.length, failed: 0, retried: 0 });

    for (const [index, name] of names.entries()) {
      const mail = await smtp.waitFor(`${name}-${backend}@practice.example`);
      expect(mail.from).toContain('no-reply@osiris.local');
      expect(mail.subject.length).toBeGreaterThan(10);
      expect(mail.text).toContain('You received this email because');
      expect(mail.html).toContain('You received this email because');
      const links = smtp.links(mail);
      for (const link of links) expect(new URL(link).protocol).toMatch(/^https?:$/);
      const expected = linkOf[name];
      if (expected) {
        expect(links).toContain(expected);
        // Follow it: the link in the HTML part is the one in the text part.
        expect(mail.text).toContain(expected);
      } else {
        expect(links).toEqual([]);
      }
      const stored = await row(ids[index] as string);
      expect(stored).toMatchObject({ status: 'sent', attempts: 1, text_body: null, html_body: null, template: name });
      expect(stored.sent_at).toBeInstanceOf(Date);
    }
    // Single-use links never reach the logs.
    expect(logs.join('\n')).not.toMatch(/secret|token=/);
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 0 });
  });

  it('stores a mail only when the caller commits', async () => {
    const service = emailService();
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await service.enqueue(trx, {
            to: 'rolled-back@practice.example',
            template: 'partner_pending',
            data: samples.partner_pending,
          });
          throw new Error('caller failed');
        }),
    ).rejects.toThrow('caller failed');
    expect(await db().selectFrom('email_outbox').selectAll().execute()).toEqual([]);
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 0 });
  });

  it('escapes names in the HTML part that reaches the recipient', async () => {
    const service = emailService();
    const to = `escape-${backend}@practice.example`;
    await enqueue(service, to, 'invitation', { ...samples.invitation, inviterName: '<script>alert(1)</script>' });
    await service.deliverDue();
    const mail = await smtp.waitFor(to);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.text).toContain('<script>alert(1)</script> invited you');
  });

  it('keeps mail queued while SMTP is down, backs off, and delivers once the server is back', async () => {
    const port = await deadPort();
    const service = emailService({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    const to = `outage-${backend}@practice.example`;
    const { id } = await enqueue(service, to, 'sign_in_link', samples.sign_in_link);

    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 1 });
    let stored = await row(id);
    expect(stored).toMatchObject({ status: 'queued', attempts: 1, sent_at: null });
    expect(stored.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    expect(stored.text_body).toContain(LINK);
    let delayMs = stored.next_attempt_at.getTime() - clock.now().getTime();
    expect(delayMs).toBeGreaterThan(4_000);
    expect(delayMs).toBeLessThanOrEqual(10_000);
    // Not due yet: nothing is tried.
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 0 });

    clock.advance(10_001);
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 1 });
    stored = await row(id);
    expect(stored.attempts).toBe(2);
    delayMs = stored.next_attempt_at.getTime() - clock.now().getTime();
    expect(delayMs).toBeGreaterThan(9_000);
    expect(delayMs).toBeLessThanOrEqual(20_000);
    expect(logs.join('\n')).not.toContain('single-use-secret');

    const revived = await startTestSmtpServer({ port });
    try {
      clock.advance(20_001);
      expect(await service.deliverDue()).toEqual({ sent: 1, failed: 0, retried: 0 });
      const mail = await revived.waitFor(to);
      expect(revived.links(mail)).toContain(LINK);
      stored = await row(id);
      expect(stored).toMatchObject({ status: 'sent', attempts: 3, text_body: null, html_body: null });
    } finally {
      await revived.close();
    }
  });

  it('marks a mail failed after EMAIL_MAX_ATTEMPTS and drops its bodies', async () => {
    const service = emailService({ SMTP_URL: `smtp://127.0.0.1:${await deadPort()}`, EMAIL_MAX_ATTEMPTS: 3 });
    const { id } = await enqueue(service, `doomed-${backend}@practice.example`, 'sign_in_link', samples.sign_in_link);
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await service.deliverDue());
      clock.advance(2 * 3600_000);
    }
    expect(results).toEqual([
      { sent: 0, failed: 0, retried: 1 },
      { sent: 0, failed: 0, retried: 1 },
      { sent: 0, failed: 1, retried: 0 },
    ]);
    const stored = await row(id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 3, text_body: null, html_body: null, sent_at: null });
    expect(stored.last_error).toBeTruthy();
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(logs.join('\n')).not.toContain('single-use-secret');
  });

  it('sends each mail once when replicas deliver at the same time', async () => {
    const replicas = [emailService(), emailService()] as const;
    const addresses = Array.from({ length: 8 }, (_, i) => `race-${i}-${backend}@practice.example`);
    for (const to of addresses) await enqueue(replicas[0], to, 'partner_pending', samples.partner_pending);
    const results = await Promise.all([
      replicas[0].deliverDue(),
      replicas[1].deliverDue(),
      replicas[0].deliverDue(3),
      replicas[1].deliverDue(3),
    ]);
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(addresses.length);
    for (const to of addresses) await smtp.waitFor(to);
    for (const to of addresses) expect(smtp.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
  });

  it('refuses an invalid recipient address', async () => {
    const service = emailService();
    for (const to of ['not an email', 'a@b.example\r\nBcc: x@evil.example', '', `${'a'.repeat(250)}@b.example`]) {
      await expect(enqueue(service, to, 'partner_pending', samples.partner_pending)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    expect(await db().selectFrom('email_outbox').selectAll().execute()).toEqual([]);
  });

  it('keeps mail queued without SMTP_URL and warns once', async () => {
    const service = emailService({ SMTP_URL: undefined });
    const { id } = await enqueue(service, `nowhere-${backend}@practice.example`, 'sign_in_link', samples.sign_in_link);
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(await service.deliverDue()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 0 });
    const warnings = logs.filter((line) => line.includes('SMTP_URL is not set'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] as string)).toMatchObject({ level: 40, queued: 1 });
  });

  it('delivers right after wake() while started, and stop() waits for the send in flight', async () => {
    let sending: () => void = () => {};
    const isSending = new Promise<void>((resolve) => {
      sending = resolve;
    });
    const slow = {
      async sendMail(message: { to: string }) {
        sending();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return message.to;
      },
    };
    const service = emailService({}, slow);
    service.start();
    const { id } = await enqueue(
      service,
      `woken-${backend}@practice.example`,
      'partner_pending',
      samples.partner_pending,
    );
    service.wake();
    await isSending;
    await service.stop();
    expect(await row(id)).toMatchObject({ status: 'sent' });

    // A real server, started loop: the mail arrives without waiting for the (long) interval.
    const live = createEmailModule({
      db: db(),
      config: { EMAIL_FROM: FROM, EMAIL_MAX_ATTEMPTS: 8, SMTP_URL: smtp.url },
      log: pino({ level: 'silent' }),
      now: clock.now,
    }).service;
    live.start();
    try {
      const to = `live-${backend}@practice.example`;
      await enqueue(live, to, 'sign_in_link', samples.sign_in_link);
      live.wake();
      expect(smtp.links(await smtp.waitFor(to, 3_000))).toContain(LINK);
    } finally {
      await live.stop();
    }
  });
});
