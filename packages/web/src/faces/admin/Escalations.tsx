import {
  Escalation,
  EscalationPage,
  type EscalationPriority,
  EscalationResolveRequest,
  type EscalationState,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, query } from '../../api';
import { validate } from '../../ui/forms';
import { Button, messageOf, Select, StatusBadge, Table, useToast } from '../../ui/kit';
import { Confirm, fmt, Load, TextArea, useCan } from './common';

export function EscalationsPage() {
  const navigate = useNavigate();
  const [state, setState] = useState<EscalationState | ''>('open');
  const [priority, setPriority] = useState<EscalationPriority | ''>('');
  const list = useQuery({
    queryKey: ['admin', 'escalations', state, priority],
    queryFn: () =>
      api(
        EscalationPage,
        'GET',
        `/v1/escalations${query({ limit: 200, state: state || undefined, priority: priority || undefined })}`,
      ),
  });
  return (
    <section aria-labelledby="esc-title">
      <h1 id="esc-title">Escalations</h1>
      <div className="row" style={{ flexWrap: 'wrap' }}>
        <Select
          label="State"
          value={state}
          onChange={(v) => setState(v as EscalationState | '')}
          testId="esc-state"
          options={[
            { value: '', label: 'Any state' },
            { value: 'open', label: 'Open' },
            { value: 'acknowledged', label: 'Acknowledged' },
            { value: 'resolved', label: 'Resolved' },
          ]}
        />
        <Select
          label="Priority"
          value={priority}
          onChange={(v) => setPriority(v as EscalationPriority | '')}
          testId="esc-priority"
          options={[
            { value: '', label: 'Any priority' },
            { value: 'critical', label: 'Critical' },
            { value: 'high', label: 'High' },
            { value: 'medium', label: 'Medium' },
            { value: 'low', label: 'Low' },
          ]}
        />
      </div>
      <Load query={list} what="escalations">
        {(p) => (
          <Table
            caption="Escalations"
            testId="escalations"
            rows={p.items}
            rowKey={(e) => e.id}
            empty="No escalations match."
            onOpen={(e) => navigate(`/admin/escalations/${e.id}`)}
            columns={[
              { header: 'Summary', cell: (e) => <Link to={`/admin/escalations/${e.id}`}>{e.summary}</Link> },
              { header: 'Host', cell: (e) => e.hostname },
              { header: 'Priority', cell: (e) => <StatusBadge value={e.priority} /> },
              { header: 'State', cell: (e) => <StatusBadge value={e.state} /> },
              { header: 'Proposal', cell: (e) => (e.proposal ? (e.approval ? 'approved' : 'awaiting approval') : '—') },
              {
                header: 'SLA due',
                cell: (e) => (
                  <>
                    {fmt(e.slaDueAt)}{' '}
                    {e.isOverdue && e.state === 'open' ? <span className="badge bad">overdue</span> : null}
                  </>
                ),
              },
            ]}
          />
        )}
      </Load>
    </section>
  );
}

export function EscalationDetail() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const toast = useToast();
  const canOperate = useCan('operator');
  const [resolving, setResolving] = useState(false);
  const [resolution, setResolution] = useState('');
  const [resolutionError, setResolutionError] = useState<string | undefined>();
  const escalation = useQuery({
    queryKey: ['admin', 'escalation', id],
    queryFn: () => api(Escalation, 'GET', `/v1/escalations/${id}`),
  });
  const act = useMutation({
    mutationFn: (a: { kind: 'acknowledge' } | { kind: 'approve' } | { kind: 'resolve'; resolution: string }) =>
      a.kind === 'acknowledge'
        ? api(Escalation, 'POST', `/v1/escalations/${id}/acknowledge`)
        : a.kind === 'approve'
          ? api(Escalation, 'POST', `/v1/escalations/${id}/approve`, {})
          : api(Escalation, 'POST', `/v1/escalations/${id}/resolve`, { resolution: a.resolution }),
    onSuccess: async (e, a) => {
      setResolving(false);
      toast(a.kind === 'approve' ? 'Fix approved; the appliance will run it' : `Escalation ${e.state}`);
      await client.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  return (
    <Load query={escalation} what="the escalation">
      {(e) => (
        <section aria-labelledby="esc-detail-title">
          <p>
            <Link to="/admin/escalations">← Escalations</Link>
          </p>
          <h1 id="esc-detail-title">{e.summary}</h1>
          <div className="card">
            <p>
              <StatusBadge value={e.priority} />{' '}
              <span data-testid="esc-state-badge">{<StatusBadge value={e.state} />}</span>{' '}
              {e.isOverdue && e.state === 'open' ? <span className="badge bad">overdue</span> : null}
            </p>
            <p>
              Host {e.hostname} · check {e.checkId} · <Link to={`/admin/sites/${e.siteId}`}>site</Link>
            </p>
            <p>Detected: {e.detected.reason}</p>
            <p>
              Received {fmt(e.receivedAt)} · SLA due {fmt(e.slaDueAt)}
            </p>
            {e.acknowledgedAt ? <p>Acknowledged {fmt(e.acknowledgedAt)}</p> : null}
            {e.resolvedAt ? (
              <p data-testid="resolution">
                Resolved {fmt(e.resolvedAt)}: {e.resolution}
              </p>
            ) : null}
            {canOperate ? (
              <div className="row" style={{ flexWrap: 'wrap' }}>
                {e.state === 'open' ? (
                  <Button kind="primary" busy={act.isPending} onClick={() => act.mutate({ kind: 'acknowledge' })}>
                    Acknowledge
                  </Button>
                ) : null}
                {e.state !== 'resolved' ? <Button onClick={() => setResolving(true)}>Resolve</Button> : null}
              </div>
            ) : null}
          </div>
          {e.proposal ? (
            <div className="card" data-testid="proposal">
              <h2 style={{ marginTop: 0 }}>Proposed fix</h2>
              <p>
                Runbook <code>{e.proposal.runbookId}</code> · confidence {Math.round(e.proposal.confidence * 100)}% ·{' '}
                {e.proposal.why === 'disruptive' ? 'disruptive' : 'low confidence'}
              </p>
              <p>{e.proposal.reasoning}</p>
              {e.approval ? (
                <p>
                  Approved {fmt(e.approval.approvedAt)} (order {e.approval.orderId})
                </p>
              ) : canOperate && e.state !== 'resolved' ? (
                <Button kind="primary" busy={act.isPending} onClick={() => act.mutate({ kind: 'approve' })}>
                  Approve fix
                </Button>
              ) : null}
            </div>
          ) : null}
          <h2>Attempts</h2>
          <Table
            caption="Healing attempts before the escalation"
            rows={e.attempts}
            rowKey={(a) => `${a.tier}-${a.startedAt}-${a.runbookId ?? ''}`}
            empty="No attempts recorded."
            columns={[
              { header: 'Tier', cell: (a) => a.tier },
              { header: 'Runbook', cell: (a) => a.runbookId ?? '—' },
              { header: 'Outcome', cell: (a) => a.outcome },
              { header: 'Started', cell: (a) => fmt(a.startedAt) },
              { header: 'Error', cell: (a) => a.error ?? '—' },
            ]}
          />
          <Confirm
            open={resolving}
            title="Resolve the escalation"
            confirmLabel="Resolve"
            busy={act.isPending}
            error={act.error ? messageOf(act.error) : null}
            onClose={() => setResolving(false)}
            onConfirm={() => {
              const checked = validate(EscalationResolveRequest, { resolution });
              if (!checked.ok) return setResolutionError(checked.errors.resolution ?? 'A resolution is required');
              setResolutionError(undefined);
              act.mutate({ kind: 'resolve', resolution: checked.data.resolution });
            }}
          >
            <TextArea
              label="Resolution (what was done)"
              value={resolution}
              onChange={setResolution}
              error={resolutionError}
            />
          </Confirm>
        </section>
      )}
    </Load>
  );
}
