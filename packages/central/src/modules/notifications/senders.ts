import type { NotificationChannelKind, NotificationChannelSettings } from '@osiris/protocol';
import { type OutgoingMessage, slackPayload, smsText, teamsPayload, webhookBody, webhookSignature } from './formats';
import { type HttpPolicy, postGuarded, type SendOutcome } from './http-sender';
import type { SmsProvider } from './sms-provider';

export interface SenderDeps {
  policy: HttpPolicy;
  sms: SmsProvider;
  /** Hands the mail to the email outbox (which retries on its own). */
  sendEmail(addresses: string[], message: OutgoingMessage, channelName: string): Promise<SendOutcome>;
  now: () => Date;
}

type SettingsOf<K extends NotificationChannelKind> = Extract<NotificationChannelSettings, { kind: K }>;
type Sender<K extends NotificationChannelKind> = (
  settings: SettingsOf<K>,
  message: OutgoingMessage,
  channelName: string,
  deps: SenderDeps,
) => Promise<SendOutcome>;

const json = { 'content-type': 'application/json' };

/** One sender per channel kind. */
const SENDERS: { [K in NotificationChannelKind]: Sender<K> } = {
  email: (settings, message, channelName, deps) => deps.sendEmail(settings.addresses, message, channelName),
  webhook: (settings, message, _name, deps) => {
    const body = webhookBody(message);
    const timestamp = String(Math.floor(deps.now().getTime() / 1000));
    return postGuarded(
      settings.url,
      {
        headers: {
          ...json,
          'x-osiris-timestamp': timestamp,
          'x-osiris-signature': webhookSignature(settings.secret, timestamp, body),
          'x-osiris-delivery': message.deliveryId,
        },
        body,
      },
      deps.policy,
    );
  },
  slack: (settings, message, _name, deps) =>
    postGuarded(settings.url, { headers: json, body: JSON.stringify(slackPayload(message)) }, deps.policy),
  teams: (settings, message, _name, deps) =>
    postGuarded(settings.url, { headers: json, body: JSON.stringify(teamsPayload(message)) }, deps.policy),
  sms: async (settings, message, _name, deps) => {
    const body = smsText(message);
    let last: SendOutcome = { ok: true, statusCode: null, error: null, isRetryable: false };
    for (const to of settings.to) {
      last = await deps.sms.send(settings, { to, body });
      if (!last.ok) return last;
    }
    return last;
  },
};

export function sendTo(
  settings: NotificationChannelSettings,
  message: OutgoingMessage,
  channelName: string,
  deps: SenderDeps,
): Promise<SendOutcome> {
  const sender = SENDERS[settings.kind] as Sender<typeof settings.kind>;
  return sender(settings as never, message, channelName, deps);
}
