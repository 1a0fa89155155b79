import { Escalation, EscalationPage, EscalationResolveRequest } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, query } from '../../api';
import { Async, Button, StatusBadge, Table, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { FormError, when } from './common';

const FILTERS = [
  { value: '', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
] as const;

const PRIORITY_BADGE: Record<string, string> = { critical: 'rejected', high: 'rejected', medium: 'open', low: 'info' };

export function EscalationsPage() {
  const [state, setState] = useState('');
  const navigate = useNavigate();
  const list = useQuery({
    queryKey: ['escalations', state || 'all'],
    queryFn: () => api(EscalationPage, 'GET', `/v1/escalations${query({ state, limit: 200 })}`),
  });
  return (
    <>
      <h1>Escalations</h1>
      <div className="tabs" role="tablist" aria-label="Filter by state">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            role="tab"
            aria-selected={state === f.value}
            onClick={() => setState(f.value)}
          >
            {f.label}
          </button>
        ))}
      </div>
      <section className="card">
        <Async query={list} what="escalations">
          {(page) => (
            <Table
              caption="Escalations"
              testId="escalations"
              rows={page.items}
              rowKey={(e) => e.id}
              onOpen={(e) => navigate(`/partner/escalations/${e.id}`)}
              empty={state ? `No ${state} escalations.` : 'No escalations. Appliances fixed everything on their own.'}
              columns={[
                {
                  header: 'Priority',
                  cell: (e) => <span className={`badge ${PRIORITY_BADGE[e.priority] ?? ''}`}>{e.priority}</span>,
                },
                { header: 'Summary', cell: (e) => <Link to={`/partner/escalations/${e.id}`}>{e.summary}</Link> },
                { header: 'Host', cell: (e) => e.hostname },
                { header: 'State', cell: (e) => <StatusBadge value={e.state} /> },
                { header: 'SLA due', cell: (e) => `${when(e.slaDueAt)}${e.isOverdue ? ' (overdue)' : ''}` },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}

export function EscalationDetail() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const toast = useToast();
  const resolutionId = useId();
  const [resolution, setResolution] = useState('');
  const [resolutionError, setResolutionError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const escalation = useQuery({
    queryKey: ['escalation', id],
    queryFn: () => api(Escalation, 'GET', `/v1/escalations/${id}`),
  });
  const act = useMutation({
    mutationFn: (action: { path: string; body?: unknown; done: string }) =>
      api(Escalation, 'POST', `/v1/escalations/${id}/${action.path}`, action.body).then((e) => ({ e, action })),
    onSuccess: async ({ e, action }) => {
      setFormError(null);
      client.setQueryData(['escalation', id], e);
      await client.invalidateQueries({ queryKey: ['escalations'] });
      toast(action.done);
    },
    onError: (error) => setFormError(error.message),
  });
  function resolve(ev: FormEvent) {
    ev.preventDefault();
    const checked = validate(EscalationResolveRequest, { resolution });
    if (!checked.ok) return setResolutionError(checked.errors.resolution ?? 'Describe what was done');
    setResolutionError(undefined);
    act.mutate({ path: 'resolve', body: checked.data, done: 'Escalation resolved' });
  }
  return (
    <Async query={escalation} what="the escalation">
      {(e) => (
        <>
          <p>
            <Link to="/partner/escalations">← Escalations</Link>
          </p>
          <h1>{e.summary}</h1>
          <p>
            <StatusBadge value={e.state} />{' '}
            <span className={`badge ${PRIORITY_BADGE[e.priority] ?? ''}`}>{e.priority}</span> {e.hostname} · check{' '}
            {e.checkId} · <Link to={`/partner/sites/${e.siteId}`}>site</Link>
          </p>
          <section className="card">
            <h2>What was detected</h2>
            <p>{e.detected.reason}</p>
            <dl>
              <dt>Received</dt>
              <dd>{when(e.receivedAt)}</dd>
              <dt>SLA due</dt>
              <dd>
                {when(e.slaDueAt)}
                {e.isOverdue ? ' (overdue)' : ''}
              </dd>
              <dt>Acknowledged</dt>
              <dd>{when(e.acknowledgedAt)}</dd>
              <dt>Resolved</dt>
              <dd>
                {when(e.resolvedAt)}
                {e.resolution ? ` — ${e.resolution}` : ''}
              </dd>
            </dl>
            {e.attempts.length > 0 ? (
              <>
                <h3>Healing attempts</h3>
                <ul>
                  {e.attempts.map((a) => (
                    <li key={`${a.tier}-${a.startedAt}`}>
                      {a.tier} {a.runbookId ?? a.ruleId ?? ''}: {a.outcome}
                      {a.error ? ` (${a.error})` : ''}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
          {e.proposal ? (
            <section className="card">
              <h2>Proposed fix</h2>
              <p>
                Runbook <code>{e.proposal.runbookId}</code> (confidence {Math.round(e.proposal.confidence * 100)}%,{' '}
                {e.proposal.why === 'disruptive' ? 'disruptive' : 'low confidence'}): {e.proposal.reasoning}
              </p>
              {e.approval ? (
                <p>Approved {when(e.approval.approvedAt)}; sent to the appliance.</p>
              ) : e.state !== 'resolved' ? (
                <Button
                  kind="primary"
                  busy={act.isPending}
                  onClick={() => act.mutate({ path: 'approve', body: {}, done: 'Fix approved' })}
                >
                  Approve fix
                </Button>
              ) : null}
            </section>
          ) : null}
          <FormError message={formError} />
          {e.state === 'open' ? (
            <Button
              kind="primary"
              busy={act.isPending}
              onClick={() => act.mutate({ path: 'acknowledge', done: 'Escalation acknowledged' })}
            >
              Acknowledge
            </Button>
          ) : null}
          {e.state !== 'resolved' ? (
            <form className="card" onSubmit={resolve} noValidate>
              <h2>Resolve</h2>
              <div className="field">
                <label htmlFor={resolutionId}>What was done</label>
                <textarea
                  id={resolutionId}
                  value={resolution}
                  rows={3}
                  onChange={(ev) => setResolution(ev.target.value)}
                  aria-invalid={resolutionError ? true : undefined}
                />
                {resolutionError ? (
                  <span className="error" role="alert">
                    {resolutionError}
                  </span>
                ) : null}
              </div>
              <Button type="submit" kind="primary" busy={act.isPending}>
                Resolve
              </Button>
            </form>
          ) : null}
        </>
      )}
    </Async>
  );
}
