import { useCreateForm } from './create-form';
import { PracticePage, Site, SiteCreateRequest, SitePage, SiteUpdateRequest } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api';
import { Button, Field, Select, StatusBadge } from '../../ui/kit';
import { FormError, fmt, Load } from './common';
import { ListPage } from './ListPage';

function usePractices() {
  return useQuery({
    queryKey: ['admin', 'practices', 'all'],
    queryFn: () => api(PracticePage, 'GET', '/v1/practices?limit=200'),
  });
}

function CreateSite({ onDone }: { onDone: () => void }) {
  const practices = usePractices();
  const [practiceId, setPracticeId] = useState('');
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const { errors, formError, isPending, submit } = useCreateForm({
    request: SiteCreateRequest,
    item: Site,
    path: '/v1/sites',
    noun: 'Site',
    onDone,
  });
  return (
    <Load query={practices} what="practices">
      {(p) => (
        <form
          className="card"
          aria-label="New site"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit({
              practiceId,
              name,
              timezone,
              ...(address.trim() ? { address } : {}),
            });
          }}
        >
          <h2>New site</h2>
          <Select
            label="Practice"
            value={practiceId}
            onChange={setPracticeId}
            testId="site-practice"
            options={[
              { value: '', label: 'Choose a practice…' },
              ...p.items.map((x) => ({ value: x.id, label: x.name })),
            ]}
          />
          {errors.practiceId ? (
            <p className="form-error" role="alert">
              Choose a practice
            </p>
          ) : null}
          <Field label="Name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
          <Field label="Address" value={address} error={errors.address} onChange={(e) => setAddress(e.target.value)} />
          <Field
            label="Time zone"
            value={timezone}
            error={errors.timezone}
            hint="IANA name, e.g. America/New_York"
            onChange={(e) => setTimezone(e.target.value)}
          />
          <FormError message={formError} />
          <div className="row">
            <Button type="submit" kind="primary" busy={isPending}>
              Create site
            </Button>
            <Button onClick={onDone}>Cancel</Button>
          </div>
        </form>
      )}
    </Load>
  );
}

const SITE_STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
] as const;

export function SitesPage() {
  const navigate = useNavigate();
  const practices = usePractices();
  const practiceName = (id: string) => practices.data?.items.find((p) => p.id === id)?.name ?? '…';
  return (
    <ListPage
      title="Sites"
      noun="site"
      path="/v1/sites"
      pageSchema={SitePage}
      itemSchema={Site}
      updateSchema={SiteUpdateRequest}
      editFields={[
        { key: 'name', label: 'Name' },
        { key: 'address', label: 'Address', nullable: true },
        { key: 'timezone', label: 'Time zone', hint: 'IANA name, e.g. America/New_York' },
        { key: 'status', label: 'Status', options: SITE_STATUSES },
      ]}
      search
      create={(done) => <CreateSite onDone={done} />}
      caption="Sites"
      testId="sites"
      empty="No sites yet."
      onOpen={(r) => navigate(`/admin/sites/${r.id}`)}
      columns={[
        { header: 'Name', cell: (r) => <Link to={`/admin/sites/${r.id}`}>{r.name}</Link> },
        { header: 'Practice', cell: (r) => practiceName(r.practiceId) },
        { header: 'Time zone', cell: (r) => r.timezone },
        { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
        { header: 'Created', cell: (r) => fmt(r.createdAt) },
      ]}
    />
  );
}
