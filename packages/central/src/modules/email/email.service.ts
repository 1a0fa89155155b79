import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { BaseLogger } from 'pino';
import { z } from 'zod';
import type { Config } from '../../config';
import type { Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { EmailStore } from './email.store';
import { renderEmail, type TemplateData, type TemplateName } from './email.templates';

/** What the service needs of a mail transport; a nodemailer transporter is one. */
interface MailTransport {
  sendMail(message: {
    from: string;
    to: string;
    subject: string;
    text?: string;
    html?: string;
    headers: Record<string, string>;
  }): Promise<unknown>;
  close?(): void;
}

type EmailLog = Pick<BaseLogger, 'info' | 'warn' | 'error'>;

const EmailAddress = z.email().max(254);

/** A claimed mail is not handed to anyone else for this long (longer than one send can take). */
const LEASE_MS = 5 * 60_000;
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_CAP_MS = 60 * 60_000;
const DEFAULT_INTERVAL_MS = 5_000;
const BATCH_SIZE = 20;
const STOP_TIMEOUT_MS = 10_000;
/** Failures that say the server is unreachable: the rest of a round would fail the same way. */
const CONNECTION_ERRORS = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED']);

/** Exponential backoff (10 s doubling, capped at 1 h) with jitter over the upper half. */
function retryDelayMs(attempts: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts - 1, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function describeError(error: unknown): string {
  const err = error as { message?: string; code?: string } | undefined;
  const message = `${err?.code ? `${err.code}: ` : ''}${err?.message ?? String(error)}`;
  return message.slice(0, 1000);
}

/** nodemailer's SMTP transport from SMTP_URL: STARTTLS whenever the server offers it. */
function smtpTransport(url: string): MailTransport {
  return nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
}

/**
 * Outgoing email: rendered and stored in the caller's transaction (a mail exists only if the
 * caller commits), then delivered over SMTP with retries. Never logs bodies or links.
 */
export function createEmailService(deps: {
  db: Kysely<DB>;
  store: EmailStore;
  config: Pick<Config, 'SMTP_URL' | 'EMAIL_FROM' | 'EMAIL_MAX_ATTEMPTS'>;
  log: EmailLog;
  now: () => Date;
  /** Instead of one built from SMTP_URL (tests). */
  transport?: MailTransport | undefined;
  intervalMs?: number | undefined;
}) {
  const { db, store, config, log, now } = deps;
  const ownsTransport = !deps.transport;
  const transport = deps.transport ?? (config.SMTP_URL ? smtpTransport(config.SMTP_URL) : undefined);
  const intervalMs = deps.intervalMs ?? DEFAULT_INTERVAL_MS;
  let warnedUndeliverable = false;

  type Outcome = 'sent' | 'failed' | 'retried';

  async function deliverOne(mailer: MailTransport, row: NonNullable<Awaited<ReturnType<EmailStore['claimDue']>>>) {
    const context = { emailId: row.id, template: row.template };
    try {
      await mailer.sendMail({
        from: config.EMAIL_FROM,
        to: row.to_address,
        subject: row.subject,
        ...(row.text_body === null ? {} : { text: row.text_body }),
        ...(row.html_body === null ? {} : { html: row.html_body }),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      const attempts = row.attempts + 1;
      const reason = describeError(error);
      const isConnectionError = CONNECTION_ERRORS.has((error as { code?: string }).code ?? '');
      if (attempts >= config.EMAIL_MAX_ATTEMPTS) {
        await store.markFailed(db, row.id, attempts, reason);
        log.error({ ...context, attempts, error: reason }, 'email undeliverable; giving up');
        return { outcome: 'failed' as Outcome, isConnectionError };
      }
      const delayMs = retryDelayMs(attempts);
      await store.markRetry(db, row.id, attempts, new Date(now().getTime() + delayMs), reason);
      log.warn({ ...context, attempts, retryInMs: delayMs, error: reason }, 'email not sent; will retry');
      return { outcome: 'retried' as Outcome, isConnectionError };
    }
    await store.markSent(db, row.id, now());
    log.info(context, 'email sent');
    return { outcome: 'sent' as Outcome, isConnectionError: false };
  }

  async function deliverDue(limit = BATCH_SIZE): Promise<{ sent: number; failed: number; retried: number }> {
    const counts = { sent: 0, failed: 0, retried: 0 };
    if (!transport) {
      if (!warnedUndeliverable) {
        const queued = await store.countDue(db, now());
        if (queued > 0) {
          warnedUndeliverable = true;
          log.warn({ queued }, 'SMTP_URL is not set: email cannot be delivered and stays queued');
        }
      }
      return counts;
    }
    for (let i = 0; i < limit; i++) {
      const at = now();
      const row = await store.claimDue(db, at, new Date(at.getTime() + LEASE_MS));
      if (!row) break;
      const { outcome, isConnectionError } = await deliverOne(transport, row);
      counts[outcome]++;
      if (isConnectionError) break;
    }
    return counts;
  }

  // The delivery loop: one round at a time, every intervalMs and right after wake().
  let isRunning = false;
  let round: Promise<void> | undefined;
  let isWoken = false;
  let timer: NodeJS.Timeout | undefined;

  function schedule(delayMs: number) {
    clearTimeout(timer);
    timer = setTimeout(runRound, delayMs);
    timer.unref();
  }

  function runRound() {
    if (!isRunning) return;
    if (round) {
      isWoken = true;
      return;
    }
    clearTimeout(timer);
    isWoken = false;
    let isBusy = false;
    round = deliverDue()
      .then((counts) => {
        isBusy = counts.sent + counts.failed === BATCH_SIZE;
      })
      .catch((error: unknown) => log.warn({ error: describeError(error) }, 'email delivery round failed'))
      .finally(() => {
        round = undefined;
        if (isRunning) schedule(isWoken || isBusy ? 0 : intervalMs);
      });
  }

  return {
    /** Render and store a mail in the caller's transaction; call wake() after the commit. */
    async enqueue<T extends TemplateName>(
      trx: Executor,
      message: { to: string; template: T; data: TemplateData[T] },
    ): Promise<{ id: string }> {
      const to = EmailAddress.safeParse(message.to);
      if (!to.success)
        throw new AppError('VALIDATION_FAILED', 'Invalid email address', {
          details: { issues: [{ path: ['to'], message: 'invalid email address', code: 'invalid_format' }] },
        });
      const rendered = renderEmail(message.template, message.data);
      const at = now();
      const id = newId(at.getTime());
      await store.insert(trx, {
        id,
        to_address: to.data,
        template: message.template,
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
        status: 'queued',
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
      });
      return { id };
    },

    deliverDue,

    /** Deliver soon (after a commit that enqueued mail); no-op unless started. */
    wake(): void {
      runRound();
    },

    start(): void {
      if (isRunning) return;
      isRunning = true;
      runRound();
    },

    /** Stop the loop; waits (bounded) for a round in flight. */
    async stop(): Promise<void> {
      isRunning = false;
      clearTimeout(timer);
      if (round) {
        let bound: NodeJS.Timeout | undefined;
        await Promise.race([round, new Promise((resolve) => (bound = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
        clearTimeout(bound);
      }
      if (ownsTransport) transport?.close?.();
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
