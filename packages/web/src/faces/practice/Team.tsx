import {
  AuditorGrantRequest,
  Member,
  MemberInvitation,
  MemberList,
  PracticeInvitationRequest,
  type PracticeRole,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { ApiError, api } from '../../api';
import { useSession } from '../../session';
import { Async, Button, Dialog, Field, Select, StatusBadge, Table, messageOf, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { invitationsUrl, PendingInvitations, showSentInvitation } from '../../ui/PendingInvitations';
import { formatDate, formatTime } from './shared/data';

const RANK: Record<string, number> = { practice_owner: 3, practice_admin: 2, practice_viewer: 1 };
const LABEL: Record<string, string> = {
  practice_owner: 'Owner',
  practice_admin: 'Admin',
  practice_viewer: 'Viewer',
  auditor: 'Auditor',
};
/** The roles someone may hand out: only those below their own. */
const rolesBelow = (role: string): PracticeRole[] =>
  (['practice_admin', 'practice_viewer'] as const).filter((r) => (RANK[r] ?? 0) < (RANK[role] ?? 0));

function InviteForm({ practiceId, roles }: { practiceId: string; roles: PracticeRole[] }) {
  const toast = useToast();
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>(roles[roles.length - 1] ?? 'practice_viewer');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const invite = useMutation({
    mutationFn: (body: unknown) => api(MemberInvitation, 'POST', `/v1/practices/${practiceId}/invitations`, body),
  });
  const [sent, setSent] = useState<string[]>([]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError('');
    const checked = validate(PracticeInvitationRequest, { email, role });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    try {
      const made = await invite.mutateAsync({ email, role });
      setSent((all) => [`${made.email} (${LABEL[made.role] ?? made.role})`, ...all]);
      setEmail('');
      toast(`Invitation sent to ${made.email}`);
      await showSentInvitation(client, invitationsUrl({ practiceId }), made);
    } catch (error) {
      if (error instanceof ApiError) setErrors(error.fieldErrors());
      setFormError(messageOf(error));
    }
  }
  return (
    <form className="card" onSubmit={submit} noValidate data-testid="invite-form" aria-labelledby="invite-h">
      <h2 id="invite-h" style={{ marginTop: 0 }}>
        Invite someone
      </h2>
      <Field label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
      <Select
        label="Role"
        value={role}
        onChange={setRole}
        options={roles.map((r) => ({ value: r, label: LABEL[r] ?? r }))}
      />
      {formError ? (
        <p className="form-error" role="alert" data-testid="invite-error">
          {formError}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={invite.isPending}>
        Send invitation
      </Button>
      {sent.length ? (
        <ul data-testid="invited">
          {sent.map((s) => (
            <li key={s}>Invited {s}</li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

type Confirm = { title: string; text: string; action: () => Promise<unknown>; done: string } | null;

function ConfirmDialog({ confirm, onClose }: { confirm: Confirm; onClose: () => void }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={confirm !== null} title={confirm?.title ?? ''} onClose={onClose}>
      <p>{confirm?.text}</p>
      <div className="row">
        <Button
          kind="danger"
          busy={busy}
          testId="confirm"
          onClick={async () => {
            if (!confirm) return;
            setBusy(true);
            try {
              await confirm.action();
              toast(confirm.done);
              onClose();
            } catch (error) {
              toast(messageOf(error), 'error');
            } finally {
              setBusy(false);
            }
          }}
        >
          Yes, go ahead
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </Dialog>
  );
}

function Members({ practiceId, myRole, myId }: { practiceId: string; myRole: string; myId: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const members = useQuery({
    queryKey: ['members', practiceId],
    queryFn: () => api(MemberList, 'GET', `/v1/practices/${practiceId}/members`),
  });
  const [confirm, setConfirm] = useState<Confirm>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['members', practiceId] });
  const below = rolesBelow(myRole);
  const canManage = (m: Member) => m.id !== myId && (RANK[m.role] ?? 9) < (RANK[myRole] ?? 0);
  return (
    <>
      <Async query={members} what="your team">
        {(data) => (
          <Table
            caption="Members of the practice"
            testId="members"
            rows={data.items}
            rowKey={(m) => m.id}
            empty="Nobody here yet."
            columns={[
              { header: 'Name', cell: (m) => m.name },
              { header: 'Email', cell: (m) => m.email },
              {
                header: 'Role',
                cell: (m) =>
                  canManage(m) && below.length > 1 ? (
                    <Select
                      label={`Role of ${m.name}`}
                      value={m.role}
                      options={below.map((r) => ({ value: r, label: LABEL[r] ?? r }))}
                      onChange={async (role) => {
                        try {
                          await api(Member, 'PATCH', `/v1/practices/${practiceId}/members/${m.id}`, { role });
                          toast(`${m.name} is now ${LABEL[role]}`);
                          await refresh();
                        } catch (error) {
                          toast(messageOf(error), 'error');
                        }
                      }}
                    />
                  ) : (
                    (LABEL[m.role] ?? m.role)
                  ),
              },
              { header: 'Status', cell: (m) => <StatusBadge value={m.status} /> },
              { header: 'Last sign-in', cell: (m) => formatTime(m.lastLoginAt) },
              {
                header: 'Actions',
                cell: (m) => (
                  <div className="row">
                    {canManage(m) ? (
                      <Button
                        kind="danger"
                        label={`Remove ${m.name}`}
                        onClick={() =>
                          setConfirm({
                            title: `Remove ${m.name}?`,
                            text: `${m.name} will no longer be able to sign in to this practice.`,
                            done: `${m.name} was removed`,
                            action: async () => {
                              await api(z.undefined(), 'DELETE', `/v1/practices/${practiceId}/members/${m.id}`);
                              await refresh();
                            },
                          })
                        }
                      >
                        Remove
                      </Button>
                    ) : null}
                    {myRole === 'practice_owner' && m.id !== myId && m.role !== 'auditor' ? (
                      <Button
                        label={`Make ${m.name} owner`}
                        onClick={() =>
                          setConfirm({
                            title: `Make ${m.name} the owner?`,
                            text: `${m.name} becomes the owner of the practice and you become an admin. Only the new owner can undo this.`,
                            done: `${m.name} is now the owner`,
                            action: async () => {
                              await api(Member, 'POST', `/v1/practices/${practiceId}/ownership`, { userId: m.id });
                              await client.invalidateQueries();
                            },
                          })
                        }
                      >
                        Transfer ownership
                      </Button>
                    ) : null}
                  </div>
                ),
              },
            ]}
          />
        )}
      </Async>
      <ConfirmDialog confirm={confirm} onClose={() => setConfirm(null)} />
    </>
  );
}

function Auditors({ practiceId, isOwner }: { practiceId: string; isOwner: boolean }) {
  const client = useQueryClient();
  const toast = useToast();
  const auditors = useQuery({
    queryKey: ['auditors', practiceId],
    queryFn: () => api(MemberList, 'GET', `/v1/practices/${practiceId}/auditors`),
  });
  const [form, setForm] = useState({ email: '', name: '', until: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['auditors', practiceId] });
  async function grant(e: FormEvent) {
    e.preventDefault();
    const validUntil = form.until ? new Date(`${form.until}T23:59:59`).toISOString() : '';
    const body = { email: form.email, name: form.name, validUntil };
    const checked = validate(AuditorGrantRequest, body);
    if (!checked.ok) return setErrors(checked.errors);
    if (Date.parse(validUntil) <= Date.now()) return setErrors({ validUntil: 'Pick a date in the future' });
    setErrors({});
    setBusy(true);
    try {
      await api(Member, 'POST', `/v1/practices/${practiceId}/auditors`, body);
      toast(`${form.name} can now read your evidence until ${formatDate(validUntil)}`);
      setForm({ email: '', name: '', until: '' });
      await refresh();
    } catch (error) {
      if (error instanceof ApiError) setErrors({ ...error.fieldErrors(), _: error.message });
      else setErrors({ _: messageOf(error) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <h2>Auditors</h2>
      <p className="hint">Auditors read your results and evidence, and nothing else, until the date you choose.</p>
      <Async query={auditors} what="auditors">
        {(data) => (
          <Table
            caption="Auditors"
            testId="auditors"
            rows={data.items}
            rowKey={(m) => m.id}
            empty="No auditor has access."
            columns={[
              { header: 'Name', cell: (m) => m.name },
              { header: 'Email', cell: (m) => m.email },
              { header: 'Access ends', cell: (m) => formatDate(m.accessExpiresAt) },
              {
                header: 'Actions',
                cell: (m) =>
                  isOwner ? (
                    <Button
                      kind="danger"
                      label={`Revoke ${m.name}`}
                      onClick={() =>
                        setConfirm({
                          title: `End ${m.name}'s access now?`,
                          text: 'The auditor is signed out and can no longer read anything.',
                          done: `${m.name}'s access has ended`,
                          action: async () => {
                            await api(z.undefined(), 'DELETE', `/v1/practices/${practiceId}/auditors/${m.id}`);
                            await refresh();
                          },
                        })
                      }
                    >
                      Revoke
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
      </Async>
      {isOwner ? (
        <form className="card" onSubmit={grant} noValidate style={{ marginTop: 12 }} data-testid="auditor-form">
          <h3 style={{ marginTop: 0 }}>Give an auditor access</h3>
          <Field
            label="Auditor's name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            error={errors.name}
          />
          <Field
            label="Auditor's email"
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
            error={errors.email}
          />
          <Field
            label="Valid until"
            type="date"
            value={form.until}
            onChange={(e) => setForm({ ...form, until: e.target.value })}
            error={errors.validUntil}
          />
          {errors._ ? (
            <p className="form-error" role="alert">
              {errors._}
            </p>
          ) : null}
          <Button type="submit" kind="primary" busy={busy}>
            Grant access
          </Button>
        </form>
      ) : null}
      <ConfirmDialog confirm={confirm} onClose={() => setConfirm(null)} />
    </>
  );
}

/** Pending invitations, for those who invite: they revoke those to roles below their own. */
function Invitations({ practiceId, myRole }: { practiceId: string; myRole: string }) {
  const members = useQuery({
    queryKey: ['members', practiceId],
    queryFn: () => api(MemberList, 'GET', `/v1/practices/${practiceId}/members`),
  });
  return (
    <PendingInvitations
      url={invitationsUrl({ practiceId })}
      roleLabel={(role) => LABEL[role] ?? role}
      inviter={(id) => members.data?.items.find((m) => m.id === id)?.name ?? 'Partner or platform staff'}
      canRevoke={(i) => (RANK[i.role] ?? 9) < (RANK[myRole] ?? 0)}
      testId="pending-invitations"
    />
  );
}

export function TeamPage() {
  const { user } = useSession();
  if (!user?.practiceId) return null;
  const roles = rolesBelow(user.role);
  return (
    <>
      <h1>Team</h1>
      <Members practiceId={user.practiceId} myRole={user.role} myId={user.id} />
      {roles.length > 0 ? (
        <>
          <InviteForm practiceId={user.practiceId} roles={roles} />
          <Invitations practiceId={user.practiceId} myRole={user.role} />
        </>
      ) : (
        <p className="hint" data-testid="no-invite">
          Viewers cannot invite people. Ask an admin or the owner of the practice.
        </p>
      )}
      <Auditors practiceId={user.practiceId} isOwner={user.role === 'practice_owner'} />
    </>
  );
}
