import {
  Member,
  MemberInvitation,
  MemberList,
  PartnerInvitationRequest,
  PartnerMemberUpdateRequest,
  type PartnerRole,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { ApiError, api } from '../../api';
import { Async, Button, Field, Select, StatusBadge, Table, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { invitationsUrl, PendingInvitations, showSentInvitation } from '../../ui/PendingInvitations';
import { ConfirmAction, FormError, usePartner, when } from './common';

const ROLES = [
  { value: 'partner_admin', label: 'Partner admin' },
  { value: 'technician', label: 'Technician' },
] as const;
const roleLabel = (role: string) => ROLES.find((r) => r.value === role)?.label ?? role.replaceAll('_', ' ');

function RoleChanger({ member, partnerId }: { member: Member; partnerId: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (role: PartnerRole) =>
      api(
        Member,
        'PATCH',
        `/v1/partners/${partnerId}/members/${member.id}`,
        PartnerMemberUpdateRequest.parse({ role }),
      ),
    onSuccess: async (updated) => {
      setError(null);
      toast(`${updated.name} is now ${roleLabel(updated.role)}`);
      await client.invalidateQueries({ queryKey: ['partner', partnerId, 'members'] });
    },
    onError: (e) => setError(e.message),
  });
  return (
    <div>
      <label className="sr-only" style={{ position: 'absolute', left: -9999 }} htmlFor={`role-${member.id}`}>
        Role of {member.name}
      </label>
      <select
        id={`role-${member.id}`}
        value={member.role}
        disabled={change.isPending}
        onChange={(e) => change.mutate(e.target.value as PartnerRole)}
        data-testid="member-role"
      >
        {ROLES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function PeoplePage() {
  const { partnerId, userId } = usePartner();
  const client = useQueryClient();
  const toast = useToast();
  const key = ['partner', partnerId, 'members'];
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('technician');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const members = useQuery({
    queryKey: key,
    queryFn: () => api(MemberList, 'GET', `/v1/partners/${partnerId}/members`),
  });
  const invite = useMutation({
    mutationFn: (body: PartnerInvitationRequest) =>
      api(MemberInvitation, 'POST', `/v1/partners/${partnerId}/invitations`, body),
    onSuccess: async (invitation) => {
      setEmail('');
      toast(`Invitation sent to ${invitation.email}`);
      await showSentInvitation(client, invitationsUrl({ partnerId }), invitation);
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? error.fieldErrors() : {});
      setFormError(error.message);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(PartnerInvitationRequest, { email, role });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    invite.mutate(checked.data);
  }
  return (
    <>
      <h1>People</h1>
      <form className="card" onSubmit={submit} noValidate aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <p>They accept by signing in with your organisation's identity provider as the invited address.</p>
        <Field
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <Select label="Role" value={role} onChange={setRole} options={ROLES} testId="invite-role" />
        <FormError message={formError} />
        <Button type="submit" kind="primary" busy={invite.isPending}>
          Send invitation
        </Button>
      </form>
      <PendingInvitations
        url={invitationsUrl({ partnerId })}
        roleLabel={roleLabel}
        inviter={(id) => members.data?.items.find((m) => m.id === id)?.name ?? '—'}
        canRevoke={() => true}
        testId="invitations"
      />
      <section className="card">
        <h2>Members</h2>
        <Async query={members} what="people">
          {(list) => (
            <Table
              caption="Members"
              testId="members"
              rows={list.items}
              rowKey={(m) => m.id}
              empty="No members yet."
              columns={[
                { header: 'Name', cell: (m) => (m.id === userId ? `${m.name} (you)` : m.name) },
                { header: 'Email', cell: (m) => m.email },
                { header: 'Role', cell: (m) => <RoleChanger member={m} partnerId={partnerId} /> },
                { header: 'Status', cell: (m) => <StatusBadge value={m.status} /> },
                { header: 'Last sign-in', cell: (m) => when(m.lastLoginAt) },
                {
                  header: 'Actions',
                  cell: (m) => (
                    <ConfirmAction
                      label="Remove"
                      title={`Remove ${m.name}?`}
                      confirmLabel="Remove"
                      testId="remove-member"
                      run={async () => {
                        await api(z.undefined(), 'DELETE', `/v1/partners/${partnerId}/members/${m.id}`);
                        await client.invalidateQueries({ queryKey: key });
                      }}
                    >
                      {m.email} loses access to your organisation at once.
                    </ConfirmAction>
                  ),
                },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}
