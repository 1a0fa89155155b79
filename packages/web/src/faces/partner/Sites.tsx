import {
  AppliancePage,
  LatestResultList,
  ProvisionCode,
  ProvisionCodeCreated,
  ProvisionCodePage,
  Site,
  SiteCreateRequest,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api } from '../../api';
import { Async, Button, Field, Select, StatusBadge, Table, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { SiteCompliance } from '../../ui/SiteCompliance';
import { SiteWorkstations } from '../../ui/SiteWorkstations';
import { ConfirmAction, FormError, SecretOnce, usePartner, when } from './common';
import { usePractices, useSites } from './Dashboard';

const browserZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
})();

function CreateSite() {
  const client = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const practices = usePractices();
  const [practiceId, setPracticeId] = useState('');
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(browserZone);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: SiteCreateRequest) => api(Site, 'POST', '/v1/sites', body),
    onSuccess: async (site) => {
      await client.invalidateQueries({ queryKey: ['sites'] });
      toast(`Site ${site.name} created`);
      setName('');
      navigate(`/partner/sites/${site.id}`);
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? error.fieldErrors() : {});
      setFormError(error.message);
    },
  });
  const options = practices.data?.items ?? [];
  const chosen = practiceId || options[0]?.id || '';
  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(SiteCreateRequest, { practiceId: chosen, name, timezone });
    if (!checked.ok) {
      setErrors(checked.errors);
      if (checked.errors.practiceId) setFormError('Choose a practice first (create one under Practices).');
      return;
    }
    setErrors({});
    create.mutate(checked.data);
  }
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-site">
      <h2 id="new-site">New site</h2>
      {practices.isLoading ? (
        <p role="status">Loading practices…</p>
      ) : options.length === 0 ? (
        <p>
          No practices yet. <Link to="/partner/practices">Create a practice</Link> first.
        </p>
      ) : (
        <Select
          label="Practice"
          value={chosen}
          onChange={setPracticeId}
          options={options.map((p) => ({ value: p.id, label: p.name }))}
          testId="site-practice"
        />
      )}
      <Field label="Site name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field
        label="Time zone"
        value={timezone}
        onChange={(e) => setTimezone(e.target.value)}
        error={errors.timezone}
        hint="An IANA time zone, such as America/Chicago."
      />
      <FormError message={formError} />
      <Button type="submit" kind="primary" busy={create.isPending} disabled={options.length === 0}>
        Create site
      </Button>
    </form>
  );
}

export function SitesPage() {
  const sites = useSites();
  const practices = usePractices();
  const navigate = useNavigate();
  const practiceName = new Map((practices.data?.items ?? []).map((p) => [p.id, p.name]));
  return (
    <>
      <h1>Sites</h1>
      <CreateSite />
      <section className="card">
        <h2>All sites</h2>
        <Async query={sites} what="sites">
          {(page) => (
            <Table
              caption="Sites"
              testId="sites"
              rows={page.items}
              rowKey={(s) => s.id}
              onOpen={(s) => navigate(`/partner/sites/${s.id}`)}
              empty="No sites yet."
              columns={[
                { header: 'Site', cell: (s) => <Link to={`/partner/sites/${s.id}`}>{s.name}</Link> },
                { header: 'Practice', cell: (s) => practiceName.get(s.practiceId) ?? '—' },
                { header: 'Time zone', cell: (s) => s.timezone },
                { header: 'Status', cell: (s) => <StatusBadge value={s.status} /> },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}

const EXPIRIES = [
  { value: '24', label: '24 hours' },
  { value: '72', label: '3 days' },
  { value: '168', label: '7 days' },
  { value: '720', label: '30 days' },
] as const;

const CODE_BADGE: Record<ProvisionCode['state'], string> = {
  pending: 'open',
  used: 'resolved',
  expired: 'info',
  revoked: 'rejected',
};

function ProvisionCodes({ siteId }: { siteId: string }) {
  const client = useQueryClient();
  const [hours, setHours] = useState('72');
  const [created, setCreated] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const key = ['site', siteId, 'provision-codes'];
  const codes = useQuery({
    queryKey: key,
    queryFn: () => api(ProvisionCodePage, 'GET', `/v1/sites/${siteId}/provision-codes?limit=200`),
  });
  const create = useMutation({
    mutationFn: () =>
      api(ProvisionCodeCreated, 'POST', `/v1/sites/${siteId}/provision-codes`, { expiresInHours: Number(hours) }),
    onSuccess: async (answer) => {
      setFormError(null);
      setCreated(answer.code);
      await client.invalidateQueries({ queryKey: key });
    },
    onError: (error) => setFormError(error.message),
  });
  return (
    <section className="card" aria-labelledby="codes-title">
      <h2 id="codes-title">Provisioning codes</h2>
      <p>An appliance registers to this site with a single-use code. The code is shown only once.</p>
      {created ? (
        <SecretOnce
          title="New provisioning code"
          secret={created}
          warning="Copy this code now: it will not be shown again."
          onDone={() => setCreated(null)}
          testId="new-code"
        />
      ) : null}
      <div className="row">
        <Select label="Valid for" value={hours} onChange={setHours} options={EXPIRIES} />
        <Button kind="primary" onClick={() => create.mutate()} busy={create.isPending} testId="create-code">
          Create code
        </Button>
      </div>
      <FormError message={formError} />
      <Async query={codes} what="provisioning codes">
        {(page) => (
          <Table
            caption="Provisioning codes"
            testId="codes"
            rows={page.items}
            rowKey={(c) => c.id}
            empty="No provisioning codes yet."
            columns={[
              { header: 'Created', cell: (c) => when(c.createdAt) },
              { header: 'Expires', cell: (c) => when(c.expiresAt) },
              {
                header: 'State',
                cell: (c) => (
                  <span className={`badge ${CODE_BADGE[c.state]}`} data-testid="code-state">
                    {c.state}
                  </span>
                ),
              },
              { header: 'Used', cell: (c) => when(c.usedAt) },
              {
                header: 'Actions',
                cell: (c) =>
                  c.state === 'pending' ? (
                    <ConfirmAction
                      label="Revoke"
                      title="Revoke this provisioning code?"
                      confirmLabel="Revoke code"
                      testId="revoke-code"
                      run={async () => {
                        await api(ProvisionCode, 'DELETE', `/v1/provision-codes/${c.id}`);
                        await client.invalidateQueries({ queryKey: key });
                      }}
                    >
                      An appliance will no longer be able to register with it.
                    </ConfirmAction>
                  ) : null,
              },
            ]}
          />
        )}
      </Async>
    </section>
  );
}

const RESULT_BADGE: Record<string, string> = {
  pass: 'resolved',
  fail: 'rejected',
  error: 'rejected',
  excepted: 'info',
};

export function SiteDetail() {
  const { id = '' } = useParams();
  const { isAdmin, canSetTier } = usePartner();
  const site = useQuery({ queryKey: ['site', id], queryFn: () => api(Site, 'GET', `/v1/sites/${id}`) });
  const appliances = useQuery({
    queryKey: ['site', id, 'appliances'],
    queryFn: () => api(AppliancePage, 'GET', `/v1/sites/${id}/appliances?limit=200`),
  });
  const results = useQuery({
    queryKey: ['site', id, 'results'],
    queryFn: () => api(LatestResultList, 'GET', `/v1/sites/${id}/results`),
  });
  return (
    <Async query={site} what="the site">
      {(s) => (
        <>
          <p>
            <Link to="/partner/sites">← Sites</Link>
          </p>
          <h1 data-testid="site-name">{s.name}</h1>
          <p>
            <StatusBadge value={s.status} /> {s.timezone}
            {s.address ? ` · ${s.address}` : ''} · <Link to={`/partner/practices/${s.practiceId}`}>Practice</Link>
          </p>
          <section className="card">
            <h2>Appliances</h2>
            <Async query={appliances} what="appliances">
              {(page) => (
                <Table
                  caption="Appliances"
                  testId="appliances"
                  rows={page.items}
                  rowKey={(a) => a.id}
                  empty="No appliance has registered yet. Create a provisioning code below."
                  columns={[
                    { header: 'Host name', cell: (a) => a.hostname },
                    { header: 'Status', cell: (a) => <StatusBadge value={a.status} /> },
                    { header: 'Version', cell: (a) => a.version },
                    { header: 'Last check-in', cell: (a) => when(a.lastCheckinAt) },
                  ]}
                />
              )}
            </Async>
          </section>
          <section className="card">
            <h2>Latest results</h2>
            <Async query={results} what="results">
              {(list) => (
                <Table
                  caption="Latest check results"
                  testId="results"
                  rows={list.items}
                  rowKey={(r) => `${r.hostId}-${r.checkId}`}
                  empty="No results yet."
                  columns={[
                    { header: 'Host', cell: (r) => r.hostname },
                    { header: 'Check', cell: (r) => r.checkId },
                    {
                      header: 'Result',
                      cell: (r) => <span className={`badge ${RESULT_BADGE[r.status] ?? ''}`}>{r.status}</span>,
                    },
                    { header: 'Finished', cell: (r) => when(r.finishedAt) },
                  ]}
                />
              )}
            </Async>
          </section>
          <SiteCompliance siteId={id} canEdit={isAdmin} />
          <SiteWorkstations siteId={id} canSetTier={canSetTier} />
          <ProvisionCodes siteId={id} />
        </>
      )}
    </Async>
  );
}
