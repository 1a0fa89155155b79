import { Escalation, EscalationResolveRequest, UserPage } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, query } from '../../api';
import { validate } from '../../ui/forms';
import { AssignControls, EscalationNotes, PriorityBadge, SlaTimer, useNow } from '../../ui/EscalationParts';
import { EscalationQueue } from '../../ui/EscalationQueue';
import { Button, messageOf, StatusBadge, Table, TextArea, useToast } from '../../ui/kit';
import { Confirm, fmt, Load, useCan } from './common';

export const EscalationsPage = () => (
  <EscalationQueue basePath="/admin/escalations" emptyText="No escalations match." />
);

/** Platform staff who can take an escalation (the list is admin-only; others get assign-to-me). */
export function useStaff(enabled: boolean) {
  const users = useQuery({
    queryKey: ['escalations', 'staff'],
    queryFn: () => api(UserPage, 'GET', `/v1/admin/users${query({ limit: 200, status: 'active' })}`),
    enabled,
  });
  return users.data?.items.filter((u) => u.role !== 'readonly').map((u) => ({ id: u.id, name: u.name || u.email }));
}

export function EscalationDetail() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const toast = useToast();
  const canOperate = useCan('operator');
  const staff = useStaff(useCan('admin'));
  const now = useNow();
  const key = ['escalations', 'detail', id];
  const [resolving, setResolving] = useState(false);
  const [resolution, setResolution] = useState('');
  const [resolutionError, setResolutionError] = useState<string | undefined>();
  const escalation = useQuery({
    queryKey: key,
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
      client.setQueryData(key, e);
      await client.invalidateQueries({ queryKey: ['escalations'] });
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
              <PriorityBadge value={e.priority} />{' '}
              <span data-testid="esc-state-badge">{<StatusBadge value={e.state} />}</span>{' '}
              <SlaTimer escalation={e} fetchedAt={escalation.dataUpdatedAt} now={now} />
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
          <AssignControls escalation={e} queryKey={key} people={staff} canOperate={canOperate} />
          <EscalationNotes escalationId={e.id} people={staff} canOperate={canOperate} />
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
