import {
  type NotificationChannel,
  NotificationEventType,
  NotificationPriority,
  NotificationRule,
  NotificationRuleCreateRequest,
  NotificationRulePage,
} from '@osiris/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { api } from '../api';
import { validate } from './forms';
import { Async, Button, Select, Table, useToast, messageOf } from './kit';

const PRIORITIES = NotificationPriority.options.map((p) => ({
  value: p,
  label: p === 'P4' ? 'P4 and above (everything)' : p === 'P1' ? 'P1 only' : `${p} and above`,
}));

function Checkboxes(props: {
  legend: string;
  options: readonly { value: string; label: string }[];
  chosen: string[];
  onChange: (next: string[]) => void;
  error?: string | undefined;
}) {
  return (
    <fieldset className="field">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} style={{ display: 'block' }}>
          <input
            type="checkbox"
            checked={props.chosen.includes(o.value)}
            onChange={(e) =>
              props.onChange(e.target.checked ? [...props.chosen, o.value] : props.chosen.filter((v) => v !== o.value))
            }
          />{' '}
          {o.label}
        </label>
      ))}
      {props.error ? (
        <span className="error" role="alert">
          {props.error}
        </span>
      ) : null}
    </fieldset>
  );
}

/** Routing rules: which event types, from which priority, go to which of the tenant's channels. */
export function NotificationRules(props: { channels: NotificationChannel[]; canManage: boolean; query: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const key = ['notification-rules', props.query];
  const rules = useQuery({
    queryKey: key,
    queryFn: () => api(NotificationRulePage, 'GET', `/v1/notification-rules?limit=200${props.query}`),
  });
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [minPriority, setMinPriority] = useState<string>('P2');
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const nameOf = (id: string) => props.channels.find((c) => c.id === id)?.name ?? id;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const checked = validate(NotificationRuleCreateRequest, { eventTypes, minPriority, channelIds });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    try {
      await api(NotificationRule, 'POST', '/v1/notification-rules', checked.data);
      setEventTypes([]);
      setChannelIds([]);
      toast('Routing rule created');
      await client.invalidateQueries({ queryKey: key });
    } catch (error) {
      toast(messageOf(error), 'error');
    }
  }
  async function remove(rule: NotificationRule) {
    try {
      await api(z.undefined(), 'DELETE', `/v1/notification-rules/${rule.id}`);
      toast('Routing rule deleted');
      await client.invalidateQueries({ queryKey: key });
    } catch (error) {
      toast(messageOf(error), 'error');
    }
  }

  return (
    <section className="card">
      <h2>Routing rules</h2>
      <Async query={rules} what="routing rules">
        {(page) => (
          <Table
            caption="Routing rules"
            testId="notification-rules"
            rows={page.items}
            rowKey={(r) => r.id}
            empty="No routing rules yet: no event reaches a channel."
            columns={[
              { header: 'Events', cell: (r) => r.eventTypes.join(', ') },
              { header: 'From priority', cell: (r) => r.minPriority },
              { header: 'Channels', cell: (r) => r.channelIds.map(nameOf).join(', ') },
              ...(props.canManage
                ? [
                    {
                      header: 'Actions',
                      cell: (r: NotificationRule) => <Button onClick={() => remove(r)}>Delete</Button>,
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Async>
      {props.canManage ? (
        <form onSubmit={submit} noValidate data-testid="rule-form">
          <h3>New rule</h3>
          <Checkboxes
            legend="Event types"
            options={NotificationEventType.options.map((t) => ({ value: t, label: t }))}
            chosen={eventTypes}
            onChange={setEventTypes}
            error={errors.eventTypes}
          />
          <Select label="Lowest priority" value={minPriority} onChange={setMinPriority} options={PRIORITIES} />
          <Checkboxes
            legend="Channels"
            options={props.channels.map((c) => ({ value: c.id, label: `${c.name} (${c.kind})` }))}
            chosen={channelIds}
            onChange={setChannelIds}
            error={errors.channelIds}
          />
          <Button type="submit" kind="primary">
            Add rule
          </Button>
        </form>
      ) : null}
    </section>
  );
}
