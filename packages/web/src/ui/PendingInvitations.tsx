import { type MemberInvitation, MemberInvitationList } from '@osiris/protocol';
import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../api';
import { Async, Button, Dialog, messageOf, Table, useToast } from './kit';

/** Where a partner's or a practice's pending invitations are listed (and revoked, by id under it). */
export const invitationsUrl = (owner: { partnerId: string } | { practiceId: string }) =>
  'partnerId' in owner
    ? `/v1/partners/${owner.partnerId}/invitations`
    : `/v1/practices/${owner.practiceId}/invitations`;

const keyOf = (url: string) => ['invitations', url] as const;

/** A new invitation shows in the list at once (then the list is fetched again). */
export async function showSentInvitation(client: QueryClient, url: string, sent: MemberInvitation): Promise<void> {
  client.setQueryData<{ items: MemberInvitation[] }>(keyOf(url), (list) =>
    list ? { items: [sent, ...list.items.filter((i) => i.id !== sent.id)] } : list,
  );
  await client.invalidateQueries({ queryKey: keyOf(url) });
}

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * The pending invitations of a partner or a practice, newest first, with Revoke behind a
 * confirmation. `inviter` names who sent one (from the members the page already shows).
 */
export function PendingInvitations(props: {
  url: string;
  roleLabel: (role: string) => string;
  inviter: (userId: string | null) => string;
  canRevoke: (invitation: MemberInvitation) => boolean;
  testId: string;
}) {
  const client = useQueryClient();
  const toast = useToast();
  const [target, setTarget] = useState<MemberInvitation | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pending = useQuery({
    queryKey: keyOf(props.url),
    queryFn: () => api(MemberInvitationList, 'GET', props.url),
  });
  const close = () => {
    setTarget(null);
    setError(null);
  };
  async function revoke() {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await api(z.undefined(), 'DELETE', `${props.url}/${target.id}`);
      toast(`The invitation for ${target.email} was revoked`);
      close();
      await client.invalidateQueries({ queryKey: keyOf(props.url) });
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" aria-labelledby={`${props.testId}-title`}>
      <h2 id={`${props.testId}-title`}>Pending invitations</h2>
      <Async query={pending} what="pending invitations">
        {(list) => (
          <Table
            caption="Pending invitations"
            testId={props.testId}
            rows={list.items}
            rowKey={(i) => i.id}
            empty="No pending invitations."
            columns={[
              { header: 'Email', cell: (i) => i.email },
              { header: 'Role', cell: (i) => props.roleLabel(i.role) },
              { header: 'Invited by', cell: (i) => props.inviter(i.invitedBy) },
              { header: 'Sent', cell: (i) => when(i.createdAt) },
              { header: 'Expires', cell: (i) => when(i.expiresAt) },
              {
                header: 'Actions',
                cell: (i) =>
                  props.canRevoke(i) ? (
                    <Button kind="danger" label={`Revoke invitation for ${i.email}`} onClick={() => setTarget(i)}>
                      Revoke
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
      </Async>
      <Dialog open={target !== null} title="Revoke the invitation?" onClose={close}>
        <p>{target?.email} can no longer use the invitation. You can invite them again later.</p>
        {error ? (
          <p className="form-error" role="alert" data-testid="revoke-error">
            {error}
          </p>
        ) : null}
        <div className="row">
          <Button kind="danger" busy={busy} onClick={revoke} testId="confirm-revoke">
            Revoke
          </Button>
          <Button onClick={close}>Keep it</Button>
        </div>
      </Dialog>
    </section>
  );
}
