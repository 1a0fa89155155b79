import type { HttpPolicy, SendOutcome } from './http-sender';
import { postGuarded } from './http-sender';

interface SmsCredentials {
  accountSid: string;
  authToken: string;
  from: string;
}

/** Sends one text message; one implementation per provider. */
export interface SmsProvider {
  send(credentials: SmsCredentials, message: { to: string; body: string }): Promise<SendOutcome>;
}

/**
 * Twilio's Messages API: POST {baseUrl}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded
 * To, From and Body, HTTP basic auth sid:token. The base URL comes from configuration (trusted),
 * so it is not held to the private-address rule that user-given URLs are.
 */
export function createTwilioProvider(options: { baseUrl: string; timeoutMs: number }): SmsProvider {
  const policy: HttpPolicy = { allowHttp: true, allowPrivate: true, timeoutMs: options.timeoutMs };
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    send(credentials, message) {
      const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json`;
      const body = new URLSearchParams({ To: message.to, From: credentials.from, Body: message.body }).toString();
      const auth = Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64');
      return postGuarded(
        url,
        { headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${auth}` }, body },
        policy,
      );
    },
  };
}
