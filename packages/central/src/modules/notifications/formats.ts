import { createHmac } from 'node:crypto';

/** One message to a channel: an event, or a digest of several held ones. */
export interface OutgoingMessage {
  deliveryId: string;
  eventType: string;
  priority: string;
  partnerId: string | null;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  /** A digest's events (null for a single event). */
  items: { title: string; priority: string; eventType: string; createdAt: string }[] | null;
}

/** The lines of a message's text: the body, then a digest's events one per line. */
export function messageLines(message: OutgoingMessage): string[] {
  const items = (message.items ?? []).map((i) => `[${i.priority}] ${i.title} (${i.eventType}, ${i.createdAt})`);
  return [message.body, ...items];
}

const subject = (message: OutgoingMessage) => `[${message.priority}] ${message.title}`;

/**
 * The webhook body. Receivers verify `X-Osiris-Signature: v1=<hex>`: HMAC-SHA256 with the channel
 * secret over `<X-Osiris-Timestamp>.<raw body>`, compared in constant time, and refuse a
 * timestamp more than 5 minutes from their clock (replays).
 */
export function webhookBody(message: OutgoingMessage): string {
  return JSON.stringify({
    id: message.deliveryId,
    type: message.eventType,
    priority: message.priority,
    partnerId: message.partnerId,
    title: message.title,
    body: message.body,
    link: message.link,
    createdAt: message.createdAt,
    digest: message.items,
  });
}

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Slack mrkdwn treats &, < and > as control characters. */
const slackEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A Slack incoming-webhook message: `text` (notifications, fallback) plus Block Kit `blocks`. */
export function slackPayload(message: OutgoingMessage): Record<string, unknown> {
  const lines = messageLines(message);
  return {
    text: clip(subject(message), 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(subject(message), 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(slackEscape(lines.join('\n')), 3000) } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: slackEscape(`${message.eventType} · ${message.createdAt}`) }],
      },
      ...(message.link
        ? [
            {
              type: 'actions',
              elements: [
                { type: 'button', text: { type: 'plain_text', text: 'Open in OsirisCare' }, url: message.link },
              ],
            },
          ]
        : []),
    ],
  };
}

/** A Microsoft Teams incoming-webhook message carrying one Adaptive Card. */
export function teamsPayload(message: OutgoingMessage): Record<string, unknown> {
  const lines = messageLines(message);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: subject(message), weight: 'Bolder', size: 'Medium', wrap: true },
            ...lines.map((line) => ({ type: 'TextBlock', text: line, wrap: true })),
            { type: 'TextBlock', text: `${message.eventType} · ${message.createdAt}`, isSubtle: true, size: 'Small' },
          ],
          ...(message.link
            ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in OsirisCare', url: message.link }] }
            : {}),
        },
      },
    ],
  };
}

/** One SMS: subject and body, at most two segments' worth. */
export function smsText(message: OutgoingMessage): string {
  const count = message.items ? ` (+${message.items.length} events)` : '';
  return clip(`${subject(message)}${count}: ${message.body}`, 320);
}
