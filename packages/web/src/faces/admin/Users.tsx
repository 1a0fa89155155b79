import {
  Invitation,
  InvitationCreated,
  InvitationCreateRequest,
  InvitationPage,
  type Role,
  type Session,
  SessionList,
  User,
  UserPage,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ApiError, api } from '../../api';
import { useSession } from '../../session';
import { validate } from '../../ui/forms';
import { Button, Dialog, Field, messageOf, Select, StatusBadge, Table, useToast } from '../../ui/kit';
import { Confirm, FormError, fmt, Load, useDialog } from './common';

const ROLES: readonly { value: Role; label: string }[] = [
  { value: 'admin', label: 'Admin' },
  { value: 'operator', label: 'Operator' },
  { value: 'readonly', label: 'Read-only' },
];
const isRole = (r: string): r is Role => r === 'admin' || r === 'operator' || r === 'readonly';

function InviteForm() {
  const client = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [hours, setHours] = useState('72');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ email: string; url: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const invite = useMutation({
    mutationFn: (body: InvitationCreateRequest) => api(InvitationCreated, 'POST', '/v1/admin/invitations', body),
    onSuccess: async (answer) => {
      setCreated({ email: answer.invitation.email, url: answer.acceptUrl });
      setCopied(false);
      setEmail('');
      toast(`Invitation created for ${answer.invitation.email}`);
      await client.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(error.fieldErrors());
      setFormError(messageOf(error));
    },
  });
  return (
    <div className="card">
      <form
        aria-label="Invite a user"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setFormError(null);
          const checked = validate(InvitationCreateRequest, { email, role, expiresInHours: Number(hours) });
          if (!checked.ok) return setErrors(checked.errors);
          setErrors({});
          invite.mutate(checked.data);
        }}
      >
        <h2 style={{ marginTop: 0 }}>Invite a user</h2>
        <Field
          label="Email"
          type="email"
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Select
          label="Role"
          value={role}
          onChange={(v) => isRole(v) && setRole(v)}
          options={ROLES}
          testId="invite-role"
        />
        <Field
          label="Expires in (hours)"
          type="number"
          min={1}
          max={336}
          value={hours}
          error={errors.expiresInHours}
          onChange={(e) => setHours(e.target.value)}
        />
        <FormError message={formError} />
        <Button type="submit" kind="primary" busy={invite.isPending}>
          Send invitation
        </Button>
      </form>
      {created ? (
        <div className="card" data-testid="invite-link" style={{ marginTop: 16 }}>
          <p>
            Invitation link for <strong>{created.email}</strong>. It is shown only once: copy it now.
          </p>
          <Field label="Invitation link" readOnly value={created.url} onFocus={(e) => e.target.select()} />
          <div className="row">
            <Button
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(created.url);
                  setCopied(true);
                } catch {
                  toast('Copying failed: select the link and copy it by hand', 'error');
                }
              }}
            >
              {copied ? 'Copied' : 'Copy link'}
            </Button>
            <Button onClick={() => setCreated(null)}>Done</Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** A user's active sessions: end one or all of them, each after a confirmation. */
function SessionsDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const [ending, setEnding] = useState<Session | 'all' | null>(null);
  const key = ['admin', 'users', user.id, 'sessions'];
  const sessions = useQuery({
    queryKey: key,
    queryFn: () => api(SessionList, 'GET', `/v1/admin/users/${user.id}/sessions`),
  });
  const end = useMutation({
    mutationFn: async (target: Session | 'all') => {
      if (target === 'all') {
        const { revoked } = await api(
          z.object({ revoked: z.number() }),
          'DELETE',
          `/v1/admin/users/${user.id}/sessions`,
        );
        return `${revoked} session${revoked === 1 ? '' : 's'} of ${user.email} ended`;
      }
      await api(z.undefined(), 'DELETE', `/v1/admin/users/${user.id}/sessions/${target.id}`);
      return `Session of ${user.email} ended`;
    },
    onSuccess: async (message) => {
      setEnding(null);
      toast(message);
      await client.invalidateQueries({ queryKey: key });
    },
  });
  const others = (sessions.data?.items ?? []).filter((s) => !s.current);
  return (
    <Dialog open title={`Sessions of ${user.email}`} onClose={onClose}>
      <Load query={sessions} what="sessions">
        {(list) => (
          <Table
            caption={`Active sessions of ${user.email}`}
            testId="sessions"
            rows={list.items}
            rowKey={(s) => s.id}
            empty="No active sessions."
            columns={[
              { header: 'Started', cell: (s) => fmt(s.createdAt) },
              { header: 'Last seen', cell: (s) => fmt(s.lastSeenAt) },
              { header: 'From', cell: (s) => `${s.ip ?? '—'} ${s.userAgent ?? ''}`.trim() },
              {
                header: 'End',
                cell: (s) =>
                  s.current ? (
                    'This session'
                  ) : (
                    <Button
                      kind="danger"
                      label={`End session started ${fmt(s.createdAt)}`}
                      onClick={() => {
                        end.reset();
                        setEnding(s);
                      }}
                    >
                      End
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </Load>
      {ending ? (
        <div className="card" data-testid="end-confirm">
          <p>
            {ending === 'all'
              ? `End every session of ${user.email}? They are signed out everywhere.`
              : `End the session started ${fmt(ending.createdAt)}? That device is signed out.`}
          </p>
          <FormError message={end.error ? messageOf(end.error) : null} />
          <div className="row">
            <Button kind="danger" busy={end.isPending} onClick={() => end.mutate(ending)}>
              {ending === 'all' ? 'End all sessions' : 'End session'}
            </Button>
            <Button onClick={() => setEnding(null)}>Keep</Button>
          </div>
        </div>
      ) : null}
      <div className="row" style={{ marginTop: 16 }}>
        {others.length > 0 && !ending ? (
          <Button
            kind="danger"
            onClick={() => {
              end.reset();
              setEnding('all');
            }}
          >
            End all
          </Button>
        ) : null}
        <Button onClick={onClose}>Close</Button>
      </div>
    </Dialog>
  );
}

export function UsersPage() {
  const client = useQueryClient();
  const toast = useToast();
  const { user: me } = useSession();
  const toggling = useDialog<User>();
  const revoking = useDialog<Invitation>();
  const viewing = useDialog<User>();
  const users = useQuery({
    queryKey: ['admin', 'users'],
    queryFn: () => api(UserPage, 'GET', '/v1/admin/users?limit=200'),
  });
  const invitations = useQuery({
    queryKey: ['admin', 'invitations'],
    queryFn: () => api(InvitationPage, 'GET', '/v1/admin/invitations?state=pending&limit=200'),
  });
  const update = useMutation({
    mutationFn: (u: { id: string; role?: Role; status?: User['status'] }) =>
      api(User, 'PATCH', `/v1/admin/users/${u.id}`, { role: u.role, status: u.status }),
    onSuccess: async (u) => {
      toggling.close();
      toast(`${u.name}: ${u.role}, ${u.status}`);
      await client.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(Invitation, 'DELETE', `/v1/admin/invitations/${id}`),
    onSuccess: async (i) => {
      revoking.close();
      toast(`Invitation for ${i.email} revoked`);
      await client.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  const unlock = useMutation({
    mutationFn: (id: string) => api(User, 'POST', `/v1/admin/users/${id}/unlock`),
    onSuccess: async (u) => {
      toast(`${u.email} unlocked`);
      await client.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  const target = toggling.target;
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <Load query={users} what="users">
        {(p) => (
          <Table
            caption="Platform users"
            testId="users"
            rows={p.items.filter((u) => isRole(u.role))}
            rowKey={(u) => u.id}
            empty="No users."
            columns={[
              { header: 'Name', cell: (u) => `${u.name}${u.id === me?.id ? ' (you)' : ''}` },
              { header: 'Email', cell: (u) => u.email },
              {
                header: 'Role',
                cell: (u) => (
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={update.isPending || u.id === me?.id}
                    title={u.id === me?.id ? 'You cannot change your own role' : undefined}
                    onChange={(e) => isRole(e.target.value) && update.mutate({ id: u.id, role: e.target.value })}
                  >
                    {ROLES.map((r) => (
                      <option key={r.value} value={r.value}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                ),
              },
              {
                header: 'Status',
                cell: (u) => (
                  <>
                    <StatusBadge value={u.status === 'active' ? 'active' : 'rejected'} />
                    {u.lockedUntil ? (
                      <>
                        {' '}
                        <span className="badge bad" title={`Locked until ${fmt(u.lockedUntil)}`}>
                          locked
                        </span>{' '}
                        <Button
                          label={`Unlock ${u.email}`}
                          busy={unlock.isPending && unlock.variables === u.id}
                          onClick={() => unlock.mutate(u.id)}
                        >
                          Unlock
                        </Button>
                      </>
                    ) : null}
                  </>
                ),
              },
              { header: 'Last sign-in', cell: (u) => fmt(u.lastLoginAt) },
              {
                header: 'Access',
                cell: (u) => (
                  <Button
                    kind={u.status === 'active' ? 'danger' : 'plain'}
                    label={`${u.status === 'active' ? 'Disable' : 'Enable'} ${u.email}`}
                    onClick={() => {
                      update.reset();
                      toggling.open(u);
                    }}
                  >
                    {u.status === 'active' ? 'Disable' : 'Enable'}
                  </Button>
                ),
              },
              {
                header: 'Sessions',
                cell: (u) => (
                  <Button label={`Sessions of ${u.email}`} onClick={() => viewing.open(u)}>
                    Sessions
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Load>
      <Confirm
        open={target !== null}
        title={target?.status === 'active' ? `Disable ${target?.email}` : `Enable ${target?.email ?? ''}`}
        confirmLabel={target?.status === 'active' ? 'Disable' : 'Enable'}
        kind={target?.status === 'active' ? 'danger' : 'primary'}
        busy={update.isPending}
        error={update.error ? messageOf(update.error) : null}
        onClose={toggling.close}
        onConfirm={() =>
          target && update.mutate({ id: target.id, status: target.status === 'active' ? 'disabled' : 'active' })
        }
      >
        <p>
          {target?.status === 'active'
            ? 'They are signed out everywhere and can no longer sign in.'
            : 'They can sign in again.'}
        </p>
      </Confirm>

      {viewing.target ? <SessionsDialog key={viewing.target.id} user={viewing.target} onClose={viewing.close} /> : null}

      <InviteForm />

      <h2>Pending invitations</h2>
      <Load query={invitations} what="invitations">
        {(p) => (
          <Table
            caption="Pending invitations"
            testId="invitations"
            rows={p.items}
            rowKey={(i) => i.id}
            empty="No pending invitations."
            columns={[
              { header: 'Email', cell: (i) => i.email },
              { header: 'Role', cell: (i) => i.role },
              { header: 'Expires', cell: (i) => fmt(i.expiresAt) },
              {
                header: 'Revoke',
                cell: (i) => (
                  <Button kind="danger" label={`Revoke invitation for ${i.email}`} onClick={() => revoking.open(i)}>
                    Revoke
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Load>
      <Confirm
        open={revoking.target !== null}
        title="Revoke the invitation"
        confirmLabel="Revoke"
        kind="danger"
        busy={revoke.isPending}
        error={revoke.error ? messageOf(revoke.error) : null}
        onClose={revoking.close}
        onConfirm={() => revoking.target && revoke.mutate(revoking.target.id)}
      >
        <p>The link sent to {revoking.target?.email} stops working.</p>
      </Confirm>
    </section>
  );
}
