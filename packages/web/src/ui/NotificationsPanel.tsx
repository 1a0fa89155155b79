import {
  type NotificationChannel,
  NotificationChannelPage,
  NotificationDelivery,
  NotificationDeliveryPage,
} from '@osiris/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../api';
import { Async, Button, Dialog, StatusBadge, Table, messageOf, useToast } from './kit';
import { NotificationChannelForm } from './NotificationChannelForm';
import { NotificationRules } from './NotificationRules';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function outcomeText(channel: NotificationChannel, d: NotificationDelivery): string {
  if (d.status === 'sent')
    return `Test to ${channel.name}: sent${d.lastStatusCode ? ` (HTTP ${d.lastStatusCode})` : ''}`;
  return `Test to ${channel.name}: ${d.status}${d.lastError ? ` — ${d.lastError}` : ''}`;
}

/** Deleting a channel asks first: its rules stop using it and its delivery history goes too. */
function DeleteChannel(props: { channel: NotificationChannel; onDeleted: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  async function confirm() {
    setBusy(true);
    try {
      await api(z.undefined(), 'DELETE', `/v1/notification-channels/${props.channel.id}`);
      setOpen(false);
      toast(`Channel ${props.channel.name} deleted`);
      await props.onDeleted();
    } catch (error) {
      toast(messageOf(error), 'error');
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button kind="danger" onClick={() => setOpen(true)} testId="delete-channel">
        Delete
      </Button>
      <Dialog open={open} title={`Delete the channel ${props.channel.name}?`} onClose={() => setOpen(false)}>
        <p>Routing rules stop sending to it, and its delivery history is removed.</p>
        <Button kind="danger" onClick={confirm} busy={busy} testId="confirm-delete-channel">
          Delete channel
        </Button>{' '}
        <Button onClick={() => setOpen(false)}>Cancel</Button>
      </Dialog>
    </>
  );
}

/**
 * Notifications of one tenant: the platform's (partnerId null) or a partner's. Channels, a form to
 * add one, test sends, routing rules and recent deliveries. Managing needs canManage.
 */
export function NotificationsPanel(props: { partnerId: string | null; canManage: boolean }) {
  const client = useQueryClient();
  const toast = useToast();
  const [testing, setTesting] = useState<string | null>(null);
  const query = props.partnerId ? `&partnerId=${props.partnerId}` : '';
  const channelsKey = ['notification-channels', query];
  const deliveriesKey = ['notification-deliveries', query];
  const channels = useQuery({
    queryKey: channelsKey,
    queryFn: () => api(NotificationChannelPage, 'GET', `/v1/notification-channels?limit=200${query}`),
  });
  const deliveries = useQuery({
    queryKey: deliveriesKey,
    queryFn: () => api(NotificationDeliveryPage, 'GET', `/v1/notification-deliveries?limit=25${query}`),
  });
  const refresh = async () => {
    await client.invalidateQueries({ queryKey: channelsKey });
    await client.invalidateQueries({ queryKey: deliveriesKey });
    await client.invalidateQueries({ queryKey: ['notification-rules', query] });
  };

  async function sendTest(channel: NotificationChannel) {
    setTesting(channel.id);
    try {
      const delivery = await api(NotificationDelivery, 'POST', `/v1/notification-channels/${channel.id}/test`);
      toast(outcomeText(channel, delivery), delivery.status === 'sent' ? 'ok' : 'error');
      await client.invalidateQueries({ queryKey: deliveriesKey });
    } catch (error) {
      toast(messageOf(error), 'error');
    } finally {
      setTesting(null);
    }
  }

  return (
    <>
      <h1>Notifications</h1>
      <section className="card">
        <h2>Channels</h2>
        <Async query={channels} what="notification channels">
          {(page) => (
            <Table
              caption="Notification channels"
              testId="notification-channels"
              rows={page.items}
              rowKey={(c) => c.id}
              empty="No channels yet."
              columns={[
                { header: 'Name', cell: (c) => c.name },
                { header: 'Kind', cell: (c) => c.kind },
                { header: 'Target', cell: (c) => c.target },
                { header: 'Secret', cell: (c) => (c.secretHint ? <code>{c.secretHint}</code> : '—') },
                { header: 'State', cell: (c) => (c.isEnabled ? 'enabled' : 'disabled') },
                ...(props.canManage
                  ? [
                      {
                        header: 'Actions',
                        cell: (c: NotificationChannel) => (
                          <>
                            <Button onClick={() => sendTest(c)} busy={testing === c.id} testId="send-test">
                              Send test
                            </Button>{' '}
                            <DeleteChannel channel={c} onDeleted={refresh} />
                          </>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          )}
        </Async>
      </section>
      {props.canManage ? (
        <NotificationChannelForm
          onCreated={async (channel) => {
            toast(`Channel ${channel.name} created`);
            await refresh();
          }}
        />
      ) : null}
      {channels.data ? (
        <NotificationRules channels={channels.data.items} canManage={props.canManage} query={query} />
      ) : null}
      <section className="card">
        <h2>Recent deliveries</h2>
        <Async query={deliveries} what="deliveries">
          {(page) => (
            <Table
              caption="Recent deliveries"
              testId="notification-deliveries"
              rows={page.items}
              rowKey={(d) => d.id}
              empty="Nothing sent yet."
              columns={[
                { header: 'When', cell: (d) => when(d.createdAt) },
                { header: 'Channel', cell: (d) => d.channelName },
                { header: 'Event', cell: (d) => (d.isDigest ? 'digest' : d.eventType) },
                { header: 'Priority', cell: (d) => d.priority },
                { header: 'Title', cell: (d) => d.title },
                { header: 'Status', cell: (d) => <StatusBadge value={d.status} /> },
                { header: 'Attempts', cell: (d) => String(d.attempts) },
                { header: 'Last error', cell: (d) => d.lastError ?? '—' },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}
