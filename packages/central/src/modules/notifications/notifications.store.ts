import type { NotificationEvent } from '@osiris/protocol';
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type {
  NotificationChannelsTable,
  NotificationRulesTable,
  NotificationsExecutor as Executor,
} from './notifications.tables';

export type ChannelRow = Selectable<NotificationChannelsTable>;
export type RuleRow = Selectable<NotificationRulesTable> & { channel_ids: string[] };

/** A tenant: one partner's id, or null for the platform. */
export type Tenant = string | null;

/** SQL for notification_channels, notification_rules and notification_rule_channels. */
export function createNotificationsStore() {
  const channelIdsOf = async (db: Executor, ruleIds: string[]) => {
    if (ruleIds.length === 0) return new Map<string, string[]>();
    const rows = await db
      .selectFrom('notification_rule_channels')
      .select(['rule_id', 'channel_id'])
      .where('rule_id', 'in', ruleIds)
      .orderBy('channel_id')
      .execute();
    const map = new Map<string, string[]>();
    for (const row of rows) map.set(row.rule_id, [...(map.get(row.rule_id) ?? []), row.channel_id]);
    return map;
  };
  const withChannels = async (db: Executor, rows: Selectable<NotificationRulesTable>[]): Promise<RuleRow[]> => {
    const map = await channelIdsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({ ...r, channel_ids: map.get(r.id) ?? [] }));
  };

  return {
    insertChannel: (db: Executor, row: Insertable<NotificationChannelsTable>) =>
      db.insertInto('notification_channels').values(row).returningAll().executeTakeFirstOrThrow(),

    getChannel: (db: Executor, id: string) =>
      db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Locks the channel row: publishes to one channel take turns (dedup and flood counts stay exact). */
    lockChannel: (db: Executor, id: string) =>
      db.selectFrom('notification_channels').select('id').where('id', '=', id).forUpdate().executeTakeFirst(),

    listChannels: (db: Executor, tenant: Tenant, afterId: string | undefined, limit: number) =>
      db
        .selectFrom('notification_channels')
        .selectAll()
        .where((eb) => (tenant === null ? eb('partner_id', 'is', null) : eb('partner_id', '=', tenant)))
        .$if(afterId !== undefined, (q) => q.where('id', '>', afterId as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute(),

    updateChannel: (db: Executor, id: string, set: Updateable<NotificationChannelsTable>) =>
      db.updateTable('notification_channels').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    deleteChannel: async (db: Executor, id: string) => {
      await db.deleteFrom('notification_channels').where('id', '=', id).execute();
    },

    /** How many of these channels belong to the tenant. */
    async countChannelsOf(db: Executor, tenant: Tenant, ids: string[]): Promise<number> {
      const row = await db
        .selectFrom('notification_channels')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('id', 'in', ids)
        .where((eb) => (tenant === null ? eb('partner_id', 'is', null) : eb('partner_id', '=', tenant)))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertRule(db: Executor, row: Insertable<NotificationRulesTable>, channelIds: string[]): Promise<RuleRow> {
      const rule = await db.insertInto('notification_rules').values(row).returningAll().executeTakeFirstOrThrow();
      await db
        .insertInto('notification_rule_channels')
        .values(channelIds.map((channel_id) => ({ rule_id: rule.id, channel_id })))
        .execute();
      return { ...rule, channel_ids: [...channelIds].sort() };
    },

    async getRule(db: Executor, id: string): Promise<RuleRow | undefined> {
      const row = await db.selectFrom('notification_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await withChannels(db, [row]))[0] : undefined;
    },

    async listRules(db: Executor, tenant: Tenant, afterId: string | undefined, limit: number): Promise<RuleRow[]> {
      const rows = await db
        .selectFrom('notification_rules')
        .selectAll()
        .where((eb) => (tenant === null ? eb('partner_id', 'is', null) : eb('partner_id', '=', tenant)))
        .$if(afterId !== undefined, (q) => q.where('id', '>', afterId as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return withChannels(db, rows);
    },

    async updateRule(
      db: Executor,
      id: string,
      set: Updateable<NotificationRulesTable>,
      channelIds: string[] | undefined,
    ): Promise<void> {
      await db.updateTable('notification_rules').set(set).where('id', '=', id).execute();
      if (!channelIds) return;
      await db.deleteFrom('notification_rule_channels').where('rule_id', '=', id).execute();
      await db
        .insertInto('notification_rule_channels')
        .values(channelIds.map((channel_id) => ({ rule_id: id, channel_id })))
        .execute();
    },

    deleteRule: async (db: Executor, id: string) => {
      await db.deleteFrom('notification_rules').where('id', '=', id).execute();
    },

    /**
     * Enabled channels an event reaches: through platform rules always, through a partner's rules
     * only for that partner's events; the rule's event types include the event's, and its lowest
     * priority is at or below the event's (P1 is the most urgent). Each channel once.
     */
    matchingChannels: (db: Executor, event: NotificationEvent) =>
      db
        .selectFrom('notification_rules as r')
        .innerJoin('notification_rule_channels as rc', 'rc.rule_id', 'r.id')
        .innerJoin('notification_channels as c', 'c.id', 'rc.channel_id')
        .selectAll('c')
        .distinct()
        .where((eb) =>
          event.partnerId === null
            ? eb('r.partner_id', 'is', null)
            : eb.or([eb('r.partner_id', 'is', null), eb('r.partner_id', '=', event.partnerId)]),
        )
        .where(sql<boolean>`c.partner_id IS NOT DISTINCT FROM r.partner_id`)
        .where('c.is_enabled', '=', true)
        .where(sql<boolean>`r.event_types @> ${JSON.stringify([event.type])}::jsonb`)
        .where('r.min_priority', '>=', event.priority)
        .orderBy('c.id')
        .execute(),
  };
}

export type NotificationsStore = ReturnType<typeof createNotificationsStore>;
