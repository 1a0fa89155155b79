import { type Escalation, EscalationPage, type EscalationPriority, type EscalationState } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, query } from '../api';
import { PRIORITY_OPTIONS, PriorityBadge, remainingNow, SlaTimer, useNow, useWho } from './EscalationParts';
import { Async, Select, StatusBadge, Table } from './kit';

type Assigned = '' | 'me' | 'none';
type Sort = 'newest' | 'urgency';

const STATES = [
  { value: '', label: 'Any state' },
  { value: 'open', label: 'Open' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
] as const;

const PRIORITY_RANK: Record<EscalationPriority, number> = { P1: 0, P2: 1, P3: 2, P4: 3 };

/** Most urgent first: open before the rest, then least time left, then priority. */
function byUrgency(rows: readonly Escalation[], fetchedAt: number, now: number): Escalation[] {
  const key = (e: Escalation) => remainingNow(e, fetchedAt, now) ?? Number.POSITIVE_INFINITY;
  return [...rows].sort(
    (a, b) =>
      Number(a.state !== 'open') - Number(b.state !== 'open') ||
      key(a) - key(b) ||
      PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority],
  );
}

/**
 * The escalation queue shared by the admin and partner faces: filters (state, priority,
 * assignment), sort by urgency, and a live SLA countdown per open escalation.
 */
export function EscalationQueue(props: { basePath: string; emptyText: string; children?: ReactNode }) {
  const navigate = useNavigate();
  const now = useNow();
  const who = useWho(undefined);
  const [state, setState] = useState<EscalationState | ''>('open');
  const [priority, setPriority] = useState<EscalationPriority | ''>('');
  const [assigned, setAssigned] = useState<Assigned>('');
  const [sort, setSort] = useState<Sort>('newest');
  const list = useQuery({
    queryKey: ['escalations', 'list', state, priority, assigned],
    queryFn: () =>
      api(EscalationPage, 'GET', `/v1/escalations${query({ limit: 200, state, priority, assignee: assigned })}`),
  });
  const href = (e: Escalation) => `${props.basePath}/${e.id}`;
  return (
    <section aria-labelledby="esc-title">
      <h1 id="esc-title">Escalations</h1>
      <div className="row" style={{ flexWrap: 'wrap' }}>
        <Select
          label="State"
          value={state}
          onChange={(v) => setState(v as EscalationState | '')}
          testId="esc-state"
          options={STATES}
        />
        <Select
          label="Priority"
          value={priority}
          onChange={(v) => setPriority(v as EscalationPriority | '')}
          testId="esc-priority"
          options={PRIORITY_OPTIONS}
        />
        <Select
          label="Assigned"
          value={assigned}
          onChange={(v) => setAssigned(v as Assigned)}
          testId="esc-assigned"
          options={[
            { value: '', label: 'Anyone or nobody' },
            { value: 'me', label: 'Assigned to me' },
            { value: 'none', label: 'Unassigned' },
          ]}
        />
        <Select
          label="Sort"
          value={sort}
          onChange={(v) => setSort(v as Sort)}
          testId="esc-sort"
          options={[
            { value: 'newest', label: 'Newest first' },
            { value: 'urgency', label: 'Most urgent first' },
          ]}
        />
      </div>
      <Async query={list} what="escalations">
        {(page) => (
          <Table
            caption="Escalations"
            testId="escalations"
            rows={sort === 'urgency' ? byUrgency(page.items, list.dataUpdatedAt, now) : page.items}
            rowKey={(e) => e.id}
            empty={props.emptyText}
            onOpen={(e) => navigate(href(e))}
            columns={[
              { header: 'Priority', cell: (e) => <PriorityBadge value={e.priority} /> },
              { header: 'Summary', cell: (e) => <Link to={href(e)}>{e.summary}</Link> },
              { header: 'Host', cell: (e) => e.hostname },
              { header: 'State', cell: (e) => <StatusBadge value={e.state} /> },
              {
                header: 'SLA',
                cell: (e) => <SlaTimer escalation={e} fetchedAt={list.dataUpdatedAt} now={now} />,
              },
              { header: 'Assigned', cell: (e) => who(e.assignedTo) },
              {
                header: 'Proposal',
                cell: (e) => (e.proposal ? (e.approval ? 'approved' : 'awaiting approval') : '—'),
              },
            ]}
          />
        )}
      </Async>
      {props.children}
    </section>
  );
}
