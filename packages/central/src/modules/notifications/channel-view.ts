import type {
  NotificationChannel,
  NotificationChannelSettings,
  NotificationDelivery,
  NotificationRule,
} from '@osiris/protocol';
import type { DeliveryRow } from './deliveries.store';
import type { ChannelRow, RuleRow } from './notifications.store';

const last4 = (secret: string) => `••••${secret.slice(-4)}`;

/** Where a channel sends, with nothing secret: Slack and Teams URLs are secrets, so only their host. */
export function describeTarget(settings: NotificationChannelSettings): { target: string; secretHint: string | null } {
  switch (settings.kind) {
    case 'email':
      return { target: settings.addresses.join(', '), secretHint: null };
    case 'webhook': {
      const url = new URL(settings.url);
      return { target: `${url.origin}${url.pathname}`, secretHint: last4(settings.secret) };
    }
    case 'slack':
    case 'teams': {
      const url = new URL(settings.url);
      return { target: url.host, secretHint: `${url.host}/…${settings.url.slice(-4)}` };
    }
    case 'sms':
      return { target: `${settings.from} → ${settings.to.join(', ')}`, secretHint: last4(settings.authToken) };
  }
}

export function toChannel(row: ChannelRow): NotificationChannel {
  return {
    id: row.id,
    partnerId: row.partner_id,
    name: row.name,
    kind: row.kind as NotificationChannel['kind'],
    isEnabled: row.is_enabled,
    target: row.target,
    secretHint: row.secret_hint,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toRule(row: RuleRow): NotificationRule {
  return {
    id: row.id,
    partnerId: row.partner_id,
    eventTypes: row.event_types as NotificationRule['eventTypes'],
    minPriority: row.min_priority as NotificationRule['minPriority'],
    channelIds: row.channel_ids,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toDelivery(row: DeliveryRow & { channel_name: string }): NotificationDelivery {
  return {
    id: row.id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    partnerId: row.partner_id,
    eventType: row.event_type as NotificationDelivery['eventType'],
    priority: row.priority as NotificationDelivery['priority'],
    title: row.title,
    isDigest: row.is_digest,
    status: row.status as NotificationDelivery['status'],
    attempts: row.attempts,
    suppressedCount: row.suppressed_count,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}
