import { isIP } from 'node:net';
import type {
  NotificationChannel,
  NotificationChannelCreateRequest,
  NotificationChannelSettings,
  NotificationChannelUpdateRequest,
  NotificationListQuery,
  NotificationRule,
  NotificationRuleCreateRequest,
  NotificationRuleUpdateRequest,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Config } from '../../config';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import { AppError, invalidField, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { describeTarget, toChannel, toRule } from './channel-view';
import { isForbiddenAddress } from './net-guard';
import type { ChannelRow, NotificationsStore, Tenant } from './notifications.store';
import type { NotificationsDB, NotificationsExecutor } from './notifications.tables';

export type NotificationsConfig = Pick<
  Config,
  | 'NOTIFICATIONS_ALLOW_HTTP'
  | 'NOTIFICATIONS_ALLOW_PRIVATE_TARGETS'
  | 'NOTIFICATIONS_TIMEOUT_MS'
  | 'NOTIFICATIONS_MAX_ATTEMPTS'
  | 'NOTIFICATIONS_DIGEST_THRESHOLD'
  | 'NOTIFICATIONS_WINDOW_SECONDS'
  | 'SMS_TWILIO_BASE_URL'
>;

/**
 * The tenant a caller acts for: platform staff for the platform, or for a partner they name;
 * partner people for their own partner (another partner's id is answered like a missing one).
 */
function tenantScope(authorize: Authorizer) {
  return {
    async tenantFor(actor: ActorContext, requested: string | undefined, executor?: Executor): Promise<Tenant> {
      const principal = actor.principal;
      if (!principal) {
        if (actor.actorType === 'system') return requested ?? null;
        throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
      }
      if (principal.kind === 'platform') {
        if (requested) await authorize.partner(actor, requested, executor);
        return requested ?? null;
      }
      if (principal.kind === 'partner') {
        if (requested && requested !== principal.partnerId) throw notFound('Partner');
        return principal.partnerId;
      }
      throw new AppError('FORBIDDEN', 'Notifications belong to the platform and partners');
    },
    /** An object of this tenant is within the caller's reach, else NOT_FOUND. */
    assertReaches(actor: ActorContext, owner: Tenant, what: string): void {
      const principal = actor.principal;
      if (!principal) {
        if (actor.actorType === 'system') return;
        throw notFound(what);
      }
      if (principal.kind === 'platform') return;
      if (principal.kind === 'partner' && owner !== null && owner === principal.partnerId) return;
      throw notFound(what);
    },
  };
}

/** Channels and routing rules of the platform and of partners: CRUD with audit. */
export function createChannelsService(deps: {
  db: Kysely<NotificationsDB>;
  store: NotificationsStore;
  audit: AuditService;
  authorize: Authorizer;
  keyring: Keyring;
  config: NotificationsConfig;
  now: () => Date;
}) {
  const { db, store, audit, keyring, config, now } = deps;
  const scope = tenantScope(deps.authorize);
  const asExecutor = (trx: unknown) => trx as Executor;

  /** URL rules known before any lookup: the scheme, and IP literals that are internal (names are checked per send). */
  function checkSettings(settings: NotificationChannelSettings): void {
    if (settings.kind !== 'webhook' && settings.kind !== 'slack' && settings.kind !== 'teams') return;
    const url = new URL(settings.url);
    if (url.protocol !== 'https:' && !config.NOTIFICATIONS_ALLOW_HTTP)
      throw invalidField(['settings', 'url'], 'must be an https:// URL');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!config.NOTIFICATIONS_ALLOW_PRIVATE_TARGETS && isIP(host) && isForbiddenAddress(host))
      throw invalidField(['settings', 'url'], 'must not point at a private or internal address');
  }

  async function channelOf(actor: ActorContext, id: string): Promise<ChannelRow> {
    const row = await store.getChannel(db, id);
    if (!row) throw notFound('Notification channel');
    scope.assertReaches(actor, row.partner_id, 'Notification channel');
    return row;
  }

  async function checkChannels(trx: NotificationsExecutor, tenant: Tenant, ids: string[]): Promise<void> {
    if ((await store.countChannelsOf(trx, tenant, ids)) !== ids.length) throw notFound('Notification channel');
  }

  const sealed = (settings: NotificationChannelSettings) => ({
    settings_enc: keyring.encrypt(JSON.stringify(settings)),
    ...(({ target, secretHint }) => ({ target, secret_hint: secretHint }))(describeTarget(settings)),
  });

  return {
    channelOf,
    tenantFor: scope.tenantFor,
    /** The decrypted settings of a channel (for sending only; never for an answer or a log). */
    settingsOf: (row: ChannelRow) => JSON.parse(keyring.decrypt(row.settings_enc)) as NotificationChannelSettings,

    async listChannels(actor: ActorContext, query: NotificationListQuery) {
      const tenant = await scope.tenantFor(actor, query.partnerId);
      const rows = await store.listChannels(db, tenant, decodeCursor(query.cursor), query.limit);
      return toPage(rows, query.limit, toChannel);
    },

    async getChannel(actor: ActorContext, id: string): Promise<NotificationChannel> {
      return toChannel(await channelOf(actor, id));
    },

    async createChannel(actor: ActorContext, input: NotificationChannelCreateRequest): Promise<NotificationChannel> {
      const tenant = await scope.tenantFor(actor, input.partnerId);
      checkSettings(input.settings);
      const at = now();
      return db.transaction().execute(async (trx) => {
        const row = await store.insertChannel(trx, {
          id: newId(at.getTime()),
          partner_id: tenant,
          name: input.name,
          kind: input.settings.kind,
          ...sealed(input.settings),
          created_by: actor.actorType === 'user' ? actor.actorId : null,
          created_at: at,
          updated_at: at,
        });
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_channel.create',
          targetType: 'notification_channel',
          targetId: row.id,
          details: { partnerId: tenant, name: row.name, kind: row.kind, target: row.target },
        });
        return toChannel(row);
      });
    },

    async updateChannel(
      actor: ActorContext,
      id: string,
      input: NotificationChannelUpdateRequest,
    ): Promise<NotificationChannel> {
      const before = await channelOf(actor, id);
      if (input.settings) {
        if (input.settings.kind !== before.kind)
          throw invalidField(['settings', 'kind'], 'the kind of a channel cannot change');
        checkSettings(input.settings);
      }
      return db.transaction().execute(async (trx) => {
        const row = await store.updateChannel(trx, id, {
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.isEnabled === undefined ? {} : { is_enabled: input.isEnabled }),
          ...(input.settings ? sealed(input.settings) : {}),
          updated_at: now(),
        });
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_channel.update',
          targetType: 'notification_channel',
          targetId: id,
          details: {
            partnerId: row.partner_id,
            ...(input.name === undefined ? {} : { name: input.name }),
            ...(input.isEnabled === undefined ? {} : { isEnabled: input.isEnabled }),
            ...(input.settings ? { settingsReplaced: true, target: row.target } : {}),
          },
        });
        return toChannel(row);
      });
    },

    async removeChannel(actor: ActorContext, id: string): Promise<void> {
      const row = await channelOf(actor, id);
      await db.transaction().execute(async (trx) => {
        await store.deleteChannel(trx, id);
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_channel.delete',
          targetType: 'notification_channel',
          targetId: id,
          details: { partnerId: row.partner_id, name: row.name, kind: row.kind },
        });
      });
    },

    async listRules(actor: ActorContext, query: NotificationListQuery) {
      const tenant = await scope.tenantFor(actor, query.partnerId);
      const rows = await store.listRules(db, tenant, decodeCursor(query.cursor), query.limit);
      return toPage(rows, query.limit, toRule);
    },

    async getRule(actor: ActorContext, id: string): Promise<NotificationRule> {
      const row = await store.getRule(db, id);
      if (!row) throw notFound('Notification rule');
      scope.assertReaches(actor, row.partner_id, 'Notification rule');
      return toRule(row);
    },

    async createRule(actor: ActorContext, input: NotificationRuleCreateRequest): Promise<NotificationRule> {
      const tenant = await scope.tenantFor(actor, input.partnerId);
      const at = now();
      return db.transaction().execute(async (trx) => {
        await checkChannels(trx, tenant, input.channelIds);
        const row = await store.insertRule(
          trx,
          {
            id: newId(at.getTime()),
            partner_id: tenant,
            event_types: JSON.stringify(input.eventTypes),
            min_priority: input.minPriority,
            created_at: at,
            updated_at: at,
          },
          input.channelIds,
        );
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_rule.create',
          targetType: 'notification_rule',
          targetId: row.id,
          details: { partnerId: tenant, ...input },
        });
        return toRule(row);
      });
    },

    async updateRule(actor: ActorContext, id: string, input: NotificationRuleUpdateRequest): Promise<NotificationRule> {
      const before = await store.getRule(db, id);
      if (!before) throw notFound('Notification rule');
      scope.assertReaches(actor, before.partner_id, 'Notification rule');
      return db.transaction().execute(async (trx) => {
        if (input.channelIds) await checkChannels(trx, before.partner_id, input.channelIds);
        await store.updateRule(
          trx,
          id,
          {
            ...(input.eventTypes ? { event_types: JSON.stringify(input.eventTypes) } : {}),
            ...(input.minPriority ? { min_priority: input.minPriority } : {}),
            updated_at: now(),
          },
          input.channelIds,
        );
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_rule.update',
          targetType: 'notification_rule',
          targetId: id,
          details: { partnerId: before.partner_id, ...input },
        });
        const row = await store.getRule(trx, id);
        if (!row) throw notFound('Notification rule');
        return toRule(row);
      });
    },

    async removeRule(actor: ActorContext, id: string): Promise<void> {
      const row = await store.getRule(db, id);
      if (!row) throw notFound('Notification rule');
      scope.assertReaches(actor, row.partner_id, 'Notification rule');
      await db.transaction().execute(async (trx) => {
        await store.deleteRule(trx, id);
        await audit.record(asExecutor(trx), actor, {
          action: 'notification_rule.delete',
          targetType: 'notification_rule',
          targetId: id,
          details: { partnerId: row.partner_id },
        });
      });
    },
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;
