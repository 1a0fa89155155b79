import { z } from 'zod';
import { Cursor, Id, Timestamp, text } from './common';

/**
 * Notifications (issue 7 item 5): channels a tenant (the platform or one partner) owns, routing
 * rules choosing which events reach which channels, and the delivery outbox.
 */
export const NotificationEventType = z.enum([
  'escalation.created',
  'escalation.breached',
  'exception.requested',
  'exception.expired',
  'appliance.offline',
  'evidence.rejected',
  'test',
]);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

/** P1 is the most urgent. A rule with minPriority P2 matches P1 and P2 events. */
export const NotificationPriority = z.enum(['P1', 'P2', 'P3', 'P4']);
export type NotificationPriority = z.infer<typeof NotificationPriority>;

export const NotificationChannelKind = z.enum(['email', 'webhook', 'slack', 'teams', 'sms']);
export type NotificationChannelKind = z.infer<typeof NotificationChannelKind>;

/** What other modules publish. The dedupKey folds repeats of one fact (15 minutes per channel). */
export const NotificationEvent = z.strictObject({
  type: NotificationEventType,
  priority: NotificationPriority,
  partnerId: Id.nullable(),
  title: text(200),
  body: z.string().trim().min(1).max(4000),
  link: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  dedupKey: text(200),
});
export type NotificationEvent = z.infer<typeof NotificationEvent>;

const HttpsUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000)
  .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'must not contain credentials');
const Phone = z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number like +15551234567');

/** Settings of a channel by kind. Every secret part (and every URL) is stored encrypted. */
export const NotificationChannelSettings = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('email'),
    addresses: z.array(z.string().trim().toLowerCase().max(254).pipe(z.email())).min(1).max(20),
  }),
  z.strictObject({
    kind: z.literal('webhook'),
    url: HttpsUrl,
    /** Key of the X-Osiris-Signature HMAC; receivers keep it too. */
    secret: z.string().min(24, 'use at least 24 characters').max(200),
  }),
  z.strictObject({ kind: z.literal('slack'), url: HttpsUrl }),
  z.strictObject({ kind: z.literal('teams'), url: HttpsUrl }),
  z.strictObject({
    kind: z.literal('sms'),
    provider: z.literal('twilio'),
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits'),
    authToken: z.string().min(16).max(200),
    from: Phone,
    to: z.array(Phone).min(1).max(10),
  }),
]);
export type NotificationChannelSettings = z.infer<typeof NotificationChannelSettings>;

/** A channel as the API shows it: never a secret, only a masked hint of one. */
export const NotificationChannel = z.object({
  id: Id,
  /** null: a platform channel. */
  partnerId: Id.nullable(),
  name: z.string(),
  kind: NotificationChannelKind,
  isEnabled: z.boolean(),
  /** Where messages go, with nothing secret (email addresses, webhook origin and path, phone numbers). */
  target: z.string(),
  secretHint: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type NotificationChannel = z.infer<typeof NotificationChannel>;

export const NotificationChannelCreateRequest = z.strictObject({
  /** Platform staff: the partner the channel belongs to (absent: a platform channel). Partner people: their own. */
  partnerId: Id.optional(),
  name: text(100),
  settings: NotificationChannelSettings,
});
export type NotificationChannelCreateRequest = z.infer<typeof NotificationChannelCreateRequest>;

/** New settings replace the old ones entirely (secrets included); the kind cannot change. */
export const NotificationChannelUpdateRequest = z.strictObject({
  name: text(100).optional(),
  isEnabled: z.boolean().optional(),
  settings: NotificationChannelSettings.optional(),
});
export type NotificationChannelUpdateRequest = z.infer<typeof NotificationChannelUpdateRequest>;

/** Platform staff see platform channels, or one partner's with partnerId. */
export const NotificationListQuery = z.strictObject({
  partnerId: Id.optional(),
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const NotificationChannelPage = z.object({
  items: z.array(NotificationChannel),
  nextCursor: z.string().nullable(),
});

export const NotificationRule = z.object({
  id: Id,
  partnerId: Id.nullable(),
  eventTypes: z.array(NotificationEventType),
  minPriority: NotificationPriority,
  channelIds: z.array(Id),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type NotificationRule = z.infer<typeof NotificationRule>;

const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'must not repeat an entry');

export const NotificationRuleCreateRequest = z.strictObject({
  partnerId: Id.optional(),
  eventTypes: uniqueList(NotificationEventType, 7),
  minPriority: NotificationPriority,
  channelIds: uniqueList(Id, 20),
});
export type NotificationRuleCreateRequest = z.infer<typeof NotificationRuleCreateRequest>;

export const NotificationRuleUpdateRequest = z.strictObject({
  eventTypes: uniqueList(NotificationEventType, 7).optional(),
  minPriority: NotificationPriority.optional(),
  channelIds: uniqueList(Id, 20).optional(),
});
export type NotificationRuleUpdateRequest = z.infer<typeof NotificationRuleUpdateRequest>;

export const NotificationRulePage = z.object({ items: z.array(NotificationRule), nextCursor: z.string().nullable() });

/**
 * queued: waiting to be sent (or retried); held: part of a flood, waiting for the channel's digest;
 * digested: sent inside a digest; sent; failed: given up.
 */
export const NotificationDeliveryStatus = z.enum(['queued', 'held', 'digested', 'sent', 'failed']);

export const NotificationDelivery = z.object({
  id: Id,
  channelId: Id,
  channelName: z.string(),
  partnerId: Id.nullable(),
  eventType: NotificationEventType,
  priority: NotificationPriority,
  title: z.string(),
  isDigest: z.boolean(),
  status: NotificationDeliveryStatus,
  attempts: z.number().int(),
  /** How many repeats of the same dedupKey were folded into this one. */
  suppressedCount: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  nextAttemptAt: Timestamp.nullable(),
  sentAt: Timestamp.nullable(),
});
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;

export const NotificationDeliveryListQuery = NotificationListQuery.extend({
  channelId: Id.optional(),
  status: NotificationDeliveryStatus.optional(),
});
export type NotificationDeliveryListQuery = z.infer<typeof NotificationDeliveryListQuery>;

export const NotificationDeliveryPage = z.object({
  items: z.array(NotificationDelivery),
  nextCursor: z.string().nullable(),
});
