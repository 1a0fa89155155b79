import { NotificationChannel, NotificationChannelCreateRequest } from '@osiris/protocol';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { validate } from './forms';
import { Button, Field, Select } from './kit';

const KINDS = [
  { value: 'webhook', label: 'Webhook (signed JSON)' },
  { value: 'slack', label: 'Slack incoming webhook' },
  { value: 'teams', label: 'Microsoft Teams incoming webhook' },
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'SMS (Twilio)' },
] as const;

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** 32 random bytes as hex: a webhook secret the receiver stores too. */
function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The settings object of the chosen kind, from the form's text fields. */
function settingsOf(kind: string, f: Record<string, string>) {
  switch (kind) {
    case 'email':
      return { kind, addresses: list(f.addresses ?? '') };
    case 'webhook':
      return { kind, url: f.url ?? '', secret: f.secret ?? '' };
    case 'sms':
      return {
        kind,
        provider: 'twilio',
        accountSid: f.accountSid ?? '',
        authToken: f.authToken ?? '',
        from: f.from ?? '',
        to: list(f.to ?? ''),
      };
    default:
      return { kind, url: f.url ?? '' };
  }
}

/** New channel: one form per kind, checked with the API's own schema before it is sent. */
export function NotificationChannelForm(props: { onCreated: (channel: NotificationChannel) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('webhook');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (key: string, label: string, extra: { hint?: string; type?: string } = {}) => (
    <Field
      label={label}
      value={fields[key] ?? ''}
      onChange={(e) => setFields({ ...fields, [key]: e.target.value })}
      error={errors[`settings.${key}`] ?? errors[`settings.${key}.0`]}
      autoComplete="off"
      {...extra}
    />
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(NotificationChannelCreateRequest, { name, settings: settingsOf(kind, fields) });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    setBusy(true);
    try {
      const channel = await api(NotificationChannel, 'POST', '/v1/notification-channels', checked.data);
      setName('');
      setFields({});
      props.onCreated(channel);
    } catch (error) {
      setErrors(error instanceof ApiError ? error.fieldErrors() : {});
      setFormError(error instanceof Error ? error.message : 'Could not create the channel');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-channel-title" data-testid="channel-form">
      <h2 id="new-channel-title">New channel</h2>
      <Field label="Channel name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Select label="Kind" value={kind} onChange={setKind} options={KINDS} testId="channel-kind" />
      {kind === 'email' ? field('addresses', 'Email addresses', { hint: 'Comma-separated' }) : null}
      {kind === 'webhook' || kind === 'slack' || kind === 'teams'
        ? field('url', 'URL', { hint: 'https:// only' })
        : null}
      {kind === 'webhook' ? (
        <>
          {field('secret', 'Signing secret', { hint: 'Store it at the receiver; it is never shown again' })}
          <Button onClick={() => setFields({ ...fields, secret: randomSecret() })} testId="generate-secret">
            Generate secret
          </Button>
        </>
      ) : null}
      {kind === 'sms' ? (
        <>
          {field('accountSid', 'Twilio account SID')}
          {field('authToken', 'Twilio auth token', { type: 'password' })}
          {field('from', 'From number', { hint: 'E.164, e.g. +15551234567' })}
          {field('to', 'To numbers', { hint: 'Comma-separated, E.164' })}
        </>
      ) : null}
      {formError ? (
        <p className="form-error" role="alert" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={busy}>
        Create channel
      </Button>
    </form>
  );
}
