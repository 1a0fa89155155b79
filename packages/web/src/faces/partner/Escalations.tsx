import { Escalation, EscalationResolveRequest, MemberList } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api';
import { AssignControls, EscalationNotes, PriorityBadge, SlaTimer, useNow } from '../../ui/EscalationParts';
import { EscalationQueue } from '../../ui/EscalationQueue';
import { Async, Button, StatusBadge, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { FormError, usePartner, when } from './common';
import { EscalationSlaCard } from './EscalationSla';

export function EscalationsPage() {
  const { isAdmin } = usePartner();
  return (
    <EscalationQueue
      basePath="/partner/escalations"
      emptyText="No escalations match. Appliances fixed the rest on their own."
    >
      {isAdmin ? <EscalationSlaCard /> : null}
    </EscalationQueue>
  );
}

/** The partner's people who can take an escalation. */
export function usePeople() {
  const { partnerId } = usePartner();
  const members = useQuery({
    queryKey: ['escalations', 'people', partnerId],
    queryFn: () => api(MemberList, 'GET', `/v1/partners/${partnerId}/members`),
    enabled: Boolean(partnerId),
  });
  return members.data?.items
    .filter((m) => m.status === 'active' && (m.role === 'partner_admin' || m.role === 'technician'))
    .map((m) => ({ id: m.id, name: m.name || m.email }));
}

export function EscalationDetail() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const toast = useToast();
  const resolutionId = useId();
  const [resolution, setResolution] = useState('');
  const [resolutionError, setResolutionError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const people = usePeople();
  const now = useNow();
  const key = ['escalations', 'detail', id];
  const escalation = useQuery({
    queryKey: key,
    queryFn: () => api(Escalation, 'GET', `/v1/escalations/${id}`),
  });
  const act = useMutation({
    mutationFn: (action: { path: string; body?: unknown; done: string }) =>
      api(Escalation, 'POST', `/v1/escalations/${id}/${action.path}`, action.body).then((e) => ({ e, action })),
    onSuccess: async ({ e, action }) => {
      setFormError(null);
      client.setQueryData(key, e);
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
            <StatusBadge value={e.state} /> <PriorityBadge value={e.priority} />{' '}
            <SlaTimer escalation={e} fetchedAt={escalation.dataUpdatedAt} now={now} /> {e.hostname} · check {e.checkId}{' '}
            · <Link to={`/partner/sites/${e.siteId}`}>site</Link>
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
                {e.breachedAt ? ` · breached ${when(e.breachedAt)}` : ''}
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
          <AssignControls escalation={e} queryKey={key} people={people} canOperate />
          <EscalationNotes escalationId={e.id} people={people} canOperate />
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
