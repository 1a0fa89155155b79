import { useCreateForm } from './create-form';
import { PartnerPage, Practice, PracticeCreateRequest, PracticePage, PracticeUpdateRequest } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api';
import { Button, Field, Select, StatusBadge } from '../../ui/kit';
import { FormError, fmt, Load } from './common';
import { ListPage } from './ListPage';

/** Every partner (first 200), for selects and names. */
export function usePartners() {
  return useQuery({
    queryKey: ['admin', 'partners', 'all'],
    queryFn: () => api(PartnerPage, 'GET', '/v1/partners?limit=200'),
  });
}

function CreatePractice({ onDone }: { onDone: () => void }) {
  const partners = usePartners();
  const [partnerId, setPartnerId] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const { errors, formError, isPending, submit } = useCreateForm({
    request: PracticeCreateRequest,
    item: Practice,
    path: '/v1/practices',
    noun: 'Practice',
    onDone,
  });
  return (
    <Load query={partners} what="partners">
      {(p) => (
        <form
          className="card"
          aria-label="New practice"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit({
              partnerId,
              name,
              ...(email.trim() ? { contactEmail: email } : {}),
            });
          }}
        >
          <h2>New practice</h2>
          <Select
            label="Partner"
            value={partnerId}
            onChange={setPartnerId}
            testId="practice-partner"
            options={[
              { value: '', label: 'Choose a partner…' },
              ...p.items.filter((x) => x.status === 'active').map((x) => ({ value: x.id, label: x.name })),
            ]}
          />
          {errors.partnerId ? (
            <p className="form-error" role="alert">
              Choose a partner
            </p>
          ) : null}
          <Field label="Name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
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
              Create practice
            </Button>
            <Button onClick={onDone}>Cancel</Button>
          </div>
        </form>
      )}
    </Load>
  );
}

const PRACTICE_STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
] as const;

export function PracticesPage() {
  const partners = usePartners();
  const partnerName = (id: string) => partners.data?.items.find((p) => p.id === id)?.name ?? '…';
  return (
    <ListPage
      title="Practices"
      noun="practice"
      path="/v1/practices"
      pageSchema={PracticePage}
      itemSchema={Practice}
      updateSchema={PracticeUpdateRequest}
      editFields={[
        { key: 'name', label: 'Name' },
        { key: 'contactEmail', label: 'Contact email', type: 'email', nullable: true },
        { key: 'status', label: 'Status', options: PRACTICE_STATUSES },
      ]}
      search
      create={(done) => <CreatePractice onDone={done} />}
      caption="Practices"
      testId="practices"
      empty="No practices yet."
      columns={[
        { header: 'Name', cell: (r) => r.name },
        {
          header: 'Partner',
          cell: (r) => <Link to={`/admin/partners/${r.partnerId}`}>{partnerName(r.partnerId)}</Link>,
        },
        { header: 'Contact', cell: (r) => r.contactEmail ?? '—' },
        { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
        { header: 'Created', cell: (r) => fmt(r.createdAt) },
      ]}
    />
  );
}
