import { NotificationEvent, type NotificationDelivery, type NotificationDeliveryListQuery } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { BaseLogger } from 'pino';
import type { ActorContext, Executor } from '../../platform/context';
import { AppError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import { toDelivery } from './channel-view';
import type { ChannelsService, NotificationsConfig } from './channels.service';
import type { DeliveriesStore, DeliveryRow } from './deliveries.store';
import type { OutgoingMessage } from './formats';
import { messageLines } from './formats';
import type { SendOutcome } from './http-sender';
import { type SenderDeps, sendTo } from './senders';
import { createTwilioProvider, type SmsProvider } from './sms-provider';
import type { ChannelRow, NotificationsStore } from './notifications.store';
import type { NotificationsDB, NotificationsExecutor } from './notifications.tables';
import { createWorkerLoop } from './worker-loop';

type Log = Pick<BaseLogger, 'info' | 'warn' | 'error'>;

/** A claimed delivery is not handed to anyone else for this long (longer than one send can take). */
const LEASE_MS = 2 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 60 * 60_000;
const BATCH_SIZE = 20;

/** Exponential backoff (30 s doubling, capped at 1 h) with jitter over the upper half. */
function retryDelayMs(attempts: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts - 1, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** What publish did, per matched channel; `platformChannels`: how many of them are the platform's own. */
export type PublishResult = { queued: number; held: number; suppressed: number; platformChannels: number };

/**
 * Notification delivery: `publish` writes one outbox row per channel the routing rules match
 * (folding repeats of a dedupKey, holding floods for a digest); a worker loop sends them with
 * timeouts, retries and backoff. Logs name deliveries and channels, never settings or secrets.
 */
export function createNotificationsService(deps: {
  db: Kysely<NotificationsDB>;
  store: NotificationsStore;
  deliveries: DeliveriesStore;
  channels: ChannelsService;
  audit: AuditService;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  config: NotificationsConfig;
  log: Log;
  now: () => Date;
  sms?: SmsProvider | undefined;
  intervalMs?: number | undefined;
}) {
  const { db, store, deliveries, channels, audit, email, config, log, now } = deps;
  const windowMs = config.NOTIFICATIONS_WINDOW_SECONDS * 1000;
  const asExecutor = (trx: unknown) => trx as Executor;

  const senderDeps: SenderDeps = {
    policy: {
      allowHttp: config.NOTIFICATIONS_ALLOW_HTTP,
      allowPrivate: config.NOTIFICATIONS_ALLOW_PRIVATE_TARGETS,
      timeoutMs: config.NOTIFICATIONS_TIMEOUT_MS,
    },
    sms:
      deps.sms ??
      createTwilioProvider({ baseUrl: config.SMS_TWILIO_BASE_URL, timeoutMs: config.NOTIFICATIONS_TIMEOUT_MS }),
    now,
    async sendEmail(addresses, message, channelName): Promise<SendOutcome> {
      await db.transaction().execute(async (trx) => {
        for (const to of addresses)
          await email.enqueue(asExecutor(trx), {
            to,
            template: 'notification',
            data: {
              title: `[${message.priority}] ${message.title}`,
              lines: messageLines(message),
              ...(message.link ? { link: message.link } : {}),
              channelName,
            },
          });
      });
      email.wake();
      return { ok: true, statusCode: null, error: null, isRetryable: false };
    },
  };

  /** One event to one channel: suppressed (a repeat), held (a flood) or queued. */
  async function enqueueFor(
    trx: NotificationsExecutor,
    channel: ChannelRow,
    event: NotificationEvent,
  ): Promise<keyof PublishResult> {
    await store.lockChannel(trx, channel.id);
    const at = now();
    const since = new Date(at.getTime() - windowMs);
    const duplicate = await deliveries.recentDuplicate(trx, channel.id, event.dedupKey, since);
    if (duplicate) {
      await deliveries.countSuppressed(trx, duplicate.id);
      return 'suppressed';
    }
    const row = {
      channel_id: channel.id,
      partner_id: channel.partner_id,
      event_type: event.type,
      priority: event.priority,
      title: event.title,
      body: event.body,
      link: event.link ?? null,
      dedup_key: event.dedupKey,
      max_attempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
      created_at: at,
    };
    if ((await deliveries.countRecent(trx, channel.id, since)) < config.NOTIFICATIONS_DIGEST_THRESHOLD) {
      await deliveries.insert(trx, { ...row, id: newId(at.getTime()), status: 'queued', next_attempt_at: at });
      return 'queued';
    }
    let digest = await deliveries.openDigest(trx, channel.id, since);
    if (!digest) {
      const digestId = newId(at.getTime());
      digest = await deliveries.insert(trx, {
        ...row,
        id: digestId,
        title: 'Digest of held notifications',
        body: 'More notifications than usual arrived for this channel; they are listed here.',
        link: null,
        dedup_key: `digest:${digestId}`,
        is_digest: true,
        status: 'queued',
        next_attempt_at: new Date(at.getTime() + windowMs),
      });
    }
    await deliveries.insert(trx, { ...row, id: newId(at.getTime()), status: 'held', digest_id: digest.id });
    return 'held';
  }

  async function messageOf(row: DeliveryRow): Promise<{ message: OutgoingMessage; heldIds: string[] }> {
    const base = {
      deliveryId: row.id,
      eventType: row.event_type,
      priority: row.priority,
      partnerId: row.partner_id,
      title: row.title,
      body: row.body,
      link: row.link,
      createdAt: row.created_at.toISOString(),
      items: null,
    };
    if (!row.is_digest) return { message: base, heldIds: [] };
    const held = await deliveries.heldOf(db, row.id);
    const minutes = Math.round(windowMs / 60_000);
    const items = held.map((h) => ({
      title: h.title,
      priority: h.priority,
      eventType: h.event_type,
      createdAt: h.created_at.toISOString(),
    }));
    const urgent = [...items.map((i) => i.priority)].sort()[0] ?? 'P4';
    return {
      message: {
        ...base,
        priority: urgent,
        title: `${items.length} notifications held during a flood (${minutes} min window)`,
        items,
      },
      heldIds: held.map((h) => h.id),
    };
  }

  /** Sends one claimed delivery and records the outcome (attempts, status code, error; no secrets). */
  async function deliver(row: DeliveryRow): Promise<DeliveryRow> {
    const channel = await store.getChannel(db, row.channel_id);
    const attempts = row.attempts + 1;
    let outcome: SendOutcome;
    let heldIds: string[] = [];
    if (!channel?.is_enabled) {
      outcome = { ok: false, statusCode: null, error: 'channel is disabled', isRetryable: false };
    } else {
      const built = await messageOf(row);
      heldIds = built.heldIds;
      if (row.is_digest && heldIds.length === 0) {
        outcome = { ok: true, statusCode: null, error: null, isRetryable: false };
      } else {
        outcome = await Promise.resolve()
          .then(() => sendTo(channels.settingsOf(channel), built.message, channel.name, senderDeps))
          .catch((error: unknown) => ({
            ok: false,
            statusCode: null,
            error: (error as Error).message.slice(0, 200),
            isRetryable: true,
          }));
      }
    }
    const at = now();
    const context = { deliveryId: row.id, channelId: row.channel_id, kind: channel?.kind, attempts };
    if (outcome.ok) {
      await deliveries.markDigested(db, row.id, heldIds, at);
      log.info({ ...context, statusCode: outcome.statusCode }, 'notification sent');
      return deliveries.finish(db, row.id, {
        status: 'sent',
        attempts,
        nextAttemptAt: null,
        statusCode: outcome.statusCode,
        error: null,
        sentAt: at,
      });
    }
    const isGivingUp = !outcome.isRetryable || attempts >= row.max_attempts;
    const delayMs = retryDelayMs(attempts);
    log.warn(
      {
        ...context,
        statusCode: outcome.statusCode,
        error: outcome.error,
        ...(isGivingUp ? {} : { retryInMs: delayMs }),
      },
      isGivingUp ? 'notification undeliverable; giving up' : 'notification not sent; will retry',
    );
    return deliveries.finish(db, row.id, {
      status: isGivingUp ? 'failed' : 'queued',
      attempts,
      nextAttemptAt: isGivingUp ? null : new Date(at.getTime() + delayMs),
      statusCode: outcome.statusCode,
      error: outcome.error,
      sentAt: null,
    });
  }

  async function deliverDue(limit = BATCH_SIZE): Promise<{ handled: number }> {
    let handled = 0;
    for (; handled < limit; handled++) {
      const at = now();
      const row = await deliveries.claimDue(db, at, new Date(at.getTime() + LEASE_MS));
      if (!row) break;
      await deliver(row);
    }
    return { handled };
  }

  const loop = createWorkerLoop({
    log,
    intervalMs: deps.intervalMs ?? 5_000,
    round: async () => (await deliverDue()).handled === BATCH_SIZE,
  });
  const withName = async (row: DeliveryRow): Promise<NotificationDelivery> => {
    const channel = await store.getChannel(db, row.channel_id);
    return toDelivery({ ...row, channel_name: channel?.name ?? '' });
  };

  return {
    /**
     * Routes an event to the channels whose rules match it. With `trx`, rows are written in the
     * caller's transaction: call wake() after the commit. Answers what happened per channel.
     */
    async publish(input: NotificationEvent, trx?: Executor): Promise<PublishResult> {
      const parsed = NotificationEvent.safeParse(input);
      if (!parsed.success)
        throw new AppError('VALIDATION_FAILED', 'Invalid notification event', { cause: parsed.error });
      const event = parsed.data;
      const run = async (executor: NotificationsExecutor) => {
        const result: PublishResult = { queued: 0, held: 0, suppressed: 0, platformChannels: 0 };
        for (const channel of await store.matchingChannels(executor, event)) {
          result[await enqueueFor(executor, channel, event)] += 1;
          if (channel.partner_id === null) result.platformChannels += 1;
        }
        return result;
      };
      if (trx) return run(trx as unknown as NotificationsExecutor);
      const result = await db.transaction().execute(run);
      if (result.queued > 0) loop.wake();
      return result;
    },

    /** Sends a test message to one channel now, once (no retries), and answers the outcome. */
    async sendTest(actor: ActorContext, channelId: string): Promise<NotificationDelivery> {
      const channel = await channels.channelOf(actor, channelId);
      const at = now();
      const id = newId(at.getTime());
      const row = await db.transaction().execute(async (trx) => {
        const inserted = await deliveries.insert(trx, {
          id,
          channel_id: channel.id,
          partner_id: channel.partner_id,
          event_type: 'test',
          priority: 'P4',
          title: 'Test notification from OsirisCare',
          body: `This is a test of the notification channel "${channel.name}". No action is needed.`,
          link: null,
          dedup_key: `test:${id}`,
          status: 'queued',
          max_attempts: 1,
          next_attempt_at: null,
          created_at: at,
        });
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_channel.test',
          targetType: 'notification_channel',
          targetId: channel.id,
          details: { partnerId: channel.partner_id, deliveryId: id },
        });
        return inserted;
      });
      return withName(await deliver(row));
    },

    async listDeliveries(actor: ActorContext, query: NotificationDeliveryListQuery) {
      const tenant = await channels.tenantFor(actor, query.partnerId);
      const rows = await deliveries.list(db, tenant, query, decodeCursor(query.cursor));
      return toPage(rows, query.limit, toDelivery);
    },

    deliverDue,
    /** Deliver soon (after a commit that published); no-op unless started. */
    wake: () => loop.wake(),
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
