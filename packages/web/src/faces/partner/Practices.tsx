import {
  AUDITOR_MAX_DAYS,
  AuditorGrantRequest,
  Member,
  MemberInvitation,
  MemberList,
  Practice,
  PracticeCreateRequest,
  PracticeInvitationRequest,
  SitePage,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api } from '../../api';
import { Async, Button, Field, Select, StatusBadge, Table, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { day, FormError, usePartner, when } from './common';
import { usePractices } from './Dashboard';

/** Field errors of a failed request (client or server), and the form-level message. */
function serverErrors(error: unknown): { fields: Record<string, string>; message: string } {
  if (error instanceof ApiError) return { fields: error.fieldErrors(), message: error.message };
  return { fields: {}, message: error instanceof Error ? error.message : 'Something went wrong' };
}

function CreatePractice() {
  const { partnerId } = usePartner();
  const client = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: PracticeCreateRequest) => api(Practice, 'POST', '/v1/practices', body),
    onSuccess: async (practice) => {
      await client.invalidateQueries({ queryKey: ['practices'] });
      toast(`Practice ${practice.name} created`);
      setName('');
      setContactEmail('');
      navigate(`/partner/practices/${practice.id}`);
    },
    onError: (error) => {
      const { fields, message } = serverErrors(error);
      setErrors(fields);
      setFormError(message);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(PracticeCreateRequest, {
      partnerId,
      name,
      ...(contactEmail.trim() ? { contactEmail } : {}),
    });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    create.mutate(checked.data);
  }
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-practice">
      <h2 id="new-practice">New practice</h2>
      <Field label="Practice name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field
        label="Contact email (optional)"
        type="email"
        value={contactEmail}
        onChange={(e) => setContactEmail(e.target.value)}
        error={errors.contactEmail}
      />
      <FormError message={formError} />
      <Button type="submit" kind="primary" busy={create.isPending}>
        Create practice
      </Button>
    </form>
  );
}

export function PracticesPage() {
  const { isAdmin } = usePartner();
  const practices = usePractices();
  const navigate = useNavigate();
  return (
    <>
      <h1>Practices</h1>
      {isAdmin ? <CreatePractice /> : null}
      <section className="card">
        <h2>Your practices</h2>
        <Async query={practices} what="practices">
          {(page) => (
            <Table
              caption="Practices"
              testId="practices"
              rows={page.items}
              rowKey={(p) => p.id}
              onOpen={(p) => navigate(`/partner/practices/${p.id}`)}
              empty="No practices yet."
              columns={[
                { header: 'Name', cell: (p) => <a href={`/partner/practices/${p.id}`}>{p.name}</a> },
                { header: 'Contact', cell: (p) => p.contactEmail ?? '—' },
                { header: 'Status', cell: (p) => <StatusBadge value={p.status} /> },
                { header: 'Created', cell: (p) => day(p.createdAt) },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}

const PRACTICE_ROLES = [
  { value: 'practice_owner', label: 'Owner' },
  { value: 'practice_admin', label: 'Admin' },
  { value: 'practice_viewer', label: 'Viewer' },
] as const;

function InvitePracticePerson({ practiceId }: { practiceId: string }) {
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('practice_owner');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<MemberInvitation[]>([]);
  const invite = useMutation({
    mutationFn: (body: PracticeInvitationRequest) =>
      api(MemberInvitation, 'POST', `/v1/practices/${practiceId}/invitations`, body),
    onSuccess: (invitation) => {
      setSent((all) => [invitation, ...all]);
      setEmail('');
      toast(`Invitation sent to ${invitation.email}`);
    },
    onError: (error) => {
      const { fields, message } = serverErrors(error);
      setErrors(fields);
      setFormError(message);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(PracticeInvitationRequest, { email, role });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    invite.mutate(checked.data);
  }
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="invite-practice">
      <h2 id="invite-practice">Invite someone to this practice</h2>
      <Field label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
      <Select label="Role" value={role} onChange={setRole} options={PRACTICE_ROLES} />
      <FormError message={formError} />
      <Button type="submit" kind="primary" busy={invite.isPending}>
        Send invitation
      </Button>
      {sent.length > 0 ? (
        <ul data-testid="practice-invitations">
          {sent.map((i) => (
            <li key={i.id}>
              Invited {i.email} as {i.role.replace('practice_', '')} (expires {when(i.expiresAt)})
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

function GrantAuditor({ practiceId }: { practiceId: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const today = new Date();
  const maxDate = isoDay(new Date(today.getTime() + 365 * 86_400_000));
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [until, setUntil] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const grant = useMutation({
    mutationFn: (body: AuditorGrantRequest) => api(Member, 'POST', `/v1/practices/${practiceId}/auditors`, body),
    onSuccess: async (auditor) => {
      await client.invalidateQueries({ queryKey: ['practice', practiceId, 'auditors'] });
      toast(`${auditor.name} can audit until ${day(auditor.accessExpiresAt)}`);
      setEmail('');
      setName('');
      setUntil('');
    },
    onError: (error) => {
      const { fields, message } = serverErrors(error);
      setErrors(fields);
      setFormError(message);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const extra: Record<string, string> = {};
    let validUntil = '';
    if (!until) extra.validUntil = 'Choose the last day of access';
    else {
      const end = new Date(`${until}T23:59:59`);
      if (Number.isNaN(end.getTime())) extra.validUntil = 'Not a valid date';
      else if (end.getTime() <= Date.now()) extra.validUntil = 'Must be in the future';
      else if (end.getTime() - Date.now() > Math.min(365, AUDITOR_MAX_DAYS) * 86_400_000)
        extra.validUntil = 'At most one year from today';
      else validUntil = end.toISOString();
    }
    const checked = validate(AuditorGrantRequest, { email, name, validUntil: validUntil || undefined });
    const all = checked.ok ? extra : { ...checked.errors, ...extra };
    if (!checked.ok || Object.keys(extra).length > 0) return setErrors(all);
    setErrors({});
    grant.mutate(checked.data);
  }
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="grant-auditor">
      <h2 id="grant-auditor">Grant an auditor access</h2>
      <Field
        label="Auditor email"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.email}
      />
      <Field label="Auditor name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field
        label="Valid until"
        type="date"
        min={isoDay(today)}
        max={maxDate}
        value={until}
        onChange={(e) => setUntil(e.target.value)}
        error={errors.validUntil}
        hint="Read-only access ends at the end of this day; at most one year."
      />
      <FormError message={formError} />
      <Button type="submit" kind="primary" busy={grant.isPending}>
        Grant access
      </Button>
    </form>
  );
}

export function PracticeDetail() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const practice = useQuery({ queryKey: ['practice', id], queryFn: () => api(Practice, 'GET', `/v1/practices/${id}`) });
  const sites = useQuery({
    queryKey: ['sites', { practiceId: id }],
    queryFn: () => api(SitePage, 'GET', `/v1/sites?practiceId=${id}&limit=200`),
  });
  const members = useQuery({
    queryKey: ['practice', id, 'members'],
    queryFn: () => api(MemberList, 'GET', `/v1/practices/${id}/members`),
  });
  const auditors = useQuery({
    queryKey: ['practice', id, 'auditors'],
    queryFn: () => api(MemberList, 'GET', `/v1/practices/${id}/auditors`),
  });
  return (
    <Async query={practice} what="the practice">
      {(p) => (
        <>
          <p>
            <Link to="/partner/practices">← Practices</Link>
          </p>
          <h1 data-testid="practice-name">{p.name}</h1>
          <p>
            <StatusBadge value={p.status} /> {p.contactEmail ?? 'No contact email'}
          </p>
          <section className="card">
            <h2>Sites</h2>
            <Async query={sites} what="sites">
              {(page) => (
                <Table
                  caption="Sites of this practice"
                  testId="practice-sites"
                  rows={page.items}
                  rowKey={(s) => s.id}
                  onOpen={(s) => navigate(`/partner/sites/${s.id}`)}
                  empty={
                    <>
                      No sites yet. <Link to="/partner/sites">Add a site</Link>.
                    </>
                  }
                  columns={[
                    { header: 'Site', cell: (s) => s.name },
                    { header: 'Time zone', cell: (s) => s.timezone },
                    { header: 'Status', cell: (s) => <StatusBadge value={s.status} /> },
                  ]}
                />
              )}
            </Async>
          </section>
          <section className="card">
            <h2>People</h2>
            <Async query={members} what="people">
              {(list) => (
                <Table
                  caption="People of this practice"
                  testId="practice-members"
                  rows={list.items}
                  rowKey={(m) => m.id}
                  empty="Nobody has joined yet. Invite the practice's owner below."
                  columns={[
                    { header: 'Name', cell: (m) => m.name },
                    { header: 'Email', cell: (m) => m.email },
                    { header: 'Role', cell: (m) => m.role.replace('practice_', '') },
                    { header: 'Last sign-in', cell: (m) => when(m.lastLoginAt) },
                  ]}
                />
              )}
            </Async>
          </section>
          <section className="card">
            <h2>Auditors</h2>
            <Async query={auditors} what="auditors">
              {(list) => (
                <Table
                  caption="Auditors of this practice"
                  testId="practice-auditors"
                  rows={list.items}
                  rowKey={(m) => m.id}
                  empty="No auditors."
                  columns={[
                    { header: 'Name', cell: (m) => m.name },
                    { header: 'Email', cell: (m) => m.email },
                    { header: 'Access until', cell: (m) => day(m.accessExpiresAt) },
                  ]}
                />
              )}
            </Async>
          </section>
          <InvitePracticePerson practiceId={id} />
          <GrantAuditor practiceId={id} />
        </>
      )}
    </Async>
  );
}
