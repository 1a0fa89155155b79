import { useCreateForm } from './create-form';
import {
  Partner,
  PartnerCreateRequest,
  PartnerPage,
  PartnerRejectRequest,
  PartnerUpdateRequest,
  PracticePage,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, query } from '../../api';
import { validate } from '../../ui/forms';
import { Button, Field, messageOf, StatusBadge, Table, TextArea, useToast } from '../../ui/kit';
import { Confirm, FormError, fmt, Load, Tabs, useCan } from './common';
import { ListPage } from './ListPage';

/** A slug from a name: lowercase words joined by hyphens. */
const slugOf = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');

const STATUS_RANK: Record<string, number> = { pending: 0, active: 1, suspended: 2, rejected: 3 };

function CreatePartner({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const [email, setEmail] = useState('');
  const { errors, formError, isPending, submit } = useCreateForm({
    request: PartnerCreateRequest,
    item: Partner,
    path: '/v1/partners',
    noun: 'Partner',
    onDone,
  });
  return (
    <form
      className="card"
      aria-label="New partner"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit({
          name,
          slug,
          ...(email.trim() ? { contactEmail: email } : {}),
        });
      }}
    >
      <h2>New partner</h2>
      <Field
        label="Name"
        value={name}
        error={errors.name}
        onChange={(e) => {
          setName(e.target.value);
          if (!slugTouched) setSlug(slugOf(e.target.value));
        }}
      />
      <Field
        label="Slug"
        value={slug}
        error={errors.slug}
        hint="Lowercase letters, digits and hyphens"
        onChange={(e) => {
          setSlugTouched(true);
          setSlug(e.target.value);
        }}
      />
      <Field
        label="Contact email"
        type="email"
        value={email}
        error={errors.contactEmail}
        onChange={(e) => setEmail(e.target.value)}
      />
      <FormError message={formError} />
      <div className="row">
        <Button type="submit" kind="primary" busy={isPending}>
          Create partner
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

export function PartnersPage() {
  const navigate = useNavigate();
  const [status, setStatus] = useState<Partner['status'] | 'all'>('all');
  return (
    <ListPage
      title="Partners"
      noun="partner"
      path="/v1/partners"
      pageSchema={PartnerPage}
      itemSchema={Partner}
      updateSchema={PartnerUpdateRequest}
      editFields={[
        { key: 'name', label: 'Name' },
        { key: 'contactEmail', label: 'Contact email', type: 'email', nullable: true },
      ]}
      params={{ status: status === 'all' ? undefined : status }}
      create={(done) => <CreatePartner onDone={done} />}
      filters={
        <Tabs
          label="Filter by status"
          value={status}
          onChange={setStatus}
          options={[
            { value: 'all', label: 'All' },
            { value: 'pending', label: 'Pending' },
            { value: 'active', label: 'Active' },
            { value: 'suspended', label: 'Suspended' },
            { value: 'rejected', label: 'Rejected' },
          ]}
        />
      }
      caption="Partners, pending first"
      testId="partners"
      sort={(a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9)}
      empty="No partners match."
      onOpen={(r) => navigate(`/admin/partners/${r.id}`)}
      columns={[
        { header: 'Name', cell: (r) => <Link to={`/admin/partners/${r.id}`}>{r.name}</Link> },
        { header: 'Slug', cell: (r) => r.slug },
        { header: 'Contact', cell: (r) => r.contactEmail ?? '—' },
        { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
        { header: 'Created', cell: (r) => fmt(r.createdAt) },
      ]}
    />
  );
}

export function PartnerDetail() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const toast = useToast();
  const isAdmin = useCan('admin');
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const partner = useQuery({
    queryKey: ['admin', 'partner', id],
    queryFn: () => api(Partner, 'GET', `/v1/partners/${id}`),
  });
  const practices = useQuery({
    queryKey: ['admin', 'practices', 'of', id],
    queryFn: () => api(PracticePage, 'GET', `/v1/practices${query({ partnerId: id, limit: 200 })}`),
  });
  const decide = useMutation({
    mutationFn: (d: { kind: 'approve' } | { kind: 'reject'; reason: string }) =>
      d.kind === 'approve'
        ? api(Partner, 'POST', `/v1/partners/${id}/approve`, {})
        : api(Partner, 'POST', `/v1/partners/${id}/reject`, { reason: d.reason }),
    onSuccess: async (p) => {
      toast(`Partner ${p.name} is now ${p.status}`);
      setRejecting(false);
      await client.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  return (
    <Load query={partner} what="the partner">
      {(p) => (
        <section aria-labelledby="partner-title">
          <p>
            <Link to="/admin/partners">← Partners</Link>
          </p>
          <h1 id="partner-title">{p.name}</h1>
          <div className="card">
            <p>
              Status: <StatusBadge value={p.status} />
            </p>
            <p>Slug: {p.slug}</p>
            <p>Contact: {p.contactEmail ?? '—'}</p>
            <p>Created: {fmt(p.createdAt)}</p>
            {p.status === 'pending' && isAdmin ? (
              <div className="row">
                <Button kind="primary" busy={decide.isPending} onClick={() => decide.mutate({ kind: 'approve' })}>
                  Approve
                </Button>
                <Button kind="danger" onClick={() => setRejecting(true)}>
                  Reject
                </Button>
              </div>
            ) : null}
          </div>
          <Confirm
            open={rejecting}
            title={`Reject ${p.name}`}
            confirmLabel="Reject partner"
            kind="danger"
            busy={decide.isPending}
            error={decide.error ? messageOf(decide.error) : null}
            onClose={() => setRejecting(false)}
            onConfirm={() => {
              const checked = validate(PartnerRejectRequest, { reason });
              if (!checked.ok) return setReasonError(checked.errors.reason ?? 'A reason is required');
              setReasonError(undefined);
              decide.mutate({ kind: 'reject', reason: checked.data.reason });
            }}
          >
            <TextArea label="Reason (the partner is told)" value={reason} onChange={setReason} error={reasonError} />
          </Confirm>
          <h2>Practices</h2>
          <Load query={practices} what="practices">
            {(list) => (
              <Table
                caption="Practices of this partner"
                testId="partner-practices"
                rows={list.items}
                rowKey={(r) => r.id}
                empty="This partner has no practices yet."
                columns={[
                  { header: 'Name', cell: (r) => r.name },
                  { header: 'Contact', cell: (r) => r.contactEmail ?? '—' },
                  { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
                ]}
              />
            )}
          </Load>
        </section>
      )}
    </Load>
  );
}
