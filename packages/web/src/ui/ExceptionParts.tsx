import {
  checkById,
  ComplianceException,
  controlOf,
  ExceptionDecisionRequest,
  ExceptionPage,
  type ExceptionScope,
  ExceptionState,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../api';
import { type Assignee, useWho } from './EscalationParts';
import { validate } from './forms';
import { Async, Button, Dialog, messageOf, Select, Table, TextArea, useToast } from './kit';

export interface SiteOption {
  id: string;
  name: string;
}

const DAY_MS = 86_400_000;
export const EXCEPTIONS_KEY = ['exceptions'] as const;

const scopeText = (scope: ExceptionScope): string => {
  if (scope.kind === 'check') return checkById(scope.checkId)?.title ?? scope.checkId;
  const control = controlOf(scope.framework, scope.controlId);
  return `${scope.framework} ${scope.controlId}${control ? ` ${control.title}` : ''}`;
};

/** Whole days until the exception ends (at least 0). */
const daysLeft = (expiresAt: string, now = Date.now()): number =>
  Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / DAY_MS));

function StateCell({ x }: { x: ComplianceException }) {
  if (x.isActive)
    return (
      <span data-testid="exception-state">
        <span className="badge active">Active</span> <span className="hint">{daysLeft(x.expiresAt)} days left</span>
      </span>
    );
  const label = x.state === 'approved' ? `approved, starts ${new Date(x.startsAt).toLocaleDateString()}` : x.state;
  return (
    <span data-testid="exception-state">
      <span className={`badge ${x.state}`}>{label}</span>
    </span>
  );
}

type Decision = { kind: 'approve' | 'reject' | 'revoke'; target: ComplianceException };
const DECISION_TITLE = {
  approve: 'Approve the exception',
  reject: 'Reject the exception',
  revoke: 'Revoke the exception',
};

/** One dialog for the three decisions: a note is optional to approve, required to reject or revoke. */
function DecisionDialog(props: { decision: Decision | null; onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const { decision } = props;
  const decide = useMutation({
    mutationFn: (d: { kind: Decision['kind']; id: string; note: string | undefined }) =>
      api(
        ComplianceException,
        'POST',
        `/v1/exceptions/${d.id}/${d.kind}`,
        d.note === undefined ? {} : { note: d.note },
      ),
    onSuccess: async (_x, d) => {
      toast(
        d.kind === 'approve' ? 'Exception approved' : d.kind === 'reject' ? 'Exception rejected' : 'Exception revoked',
      );
      close();
      await client.invalidateQueries({ queryKey: EXCEPTIONS_KEY });
    },
  });
  function close() {
    setNote('');
    setError(undefined);
    decide.reset();
    props.onClose();
  }
  function confirm() {
    if (!decision) return;
    const trimmed = note.trim();
    if (decision.kind !== 'approve') {
      const checked = validate(ExceptionDecisionRequest, { note });
      if (!checked.ok) return setError('Say why (at most 1000 characters); the requester and auditors read it.');
    } else if (trimmed.length > 1000) return setError('At most 1000 characters.');
    setError(undefined);
    decide.mutate({ kind: decision.kind, id: decision.target.id, note: trimmed || undefined });
  }
  return (
    <Dialog open={decision !== null} title={decision ? DECISION_TITLE[decision.kind] : ''} onClose={close}>
      {decision ? <p>{scopeText(decision.target.scope)}</p> : null}
      <TextArea
        label={decision?.kind === 'approve' ? 'Note (optional)' : 'Why (required)'}
        value={note}
        onChange={setNote}
        error={error}
      />
      {decide.error ? (
        <p className="form-error" role="alert" data-testid="dialog-error">
          {messageOf(decide.error)}
        </p>
      ) : null}
      <div className="row" style={{ marginTop: 16 }}>
        <Button
          kind={decision?.kind === 'approve' ? 'primary' : 'danger'}
          busy={decide.isPending}
          onClick={confirm}
          testId="confirm"
        >
          {decision?.kind === 'approve' ? 'Approve' : decision?.kind === 'reject' ? 'Reject' : 'Revoke'}
        </Button>
        <Button onClick={close}>Cancel</Button>
      </div>
    </Dialog>
  );
}

/**
 * The exceptions within the caller's reach, with state and site filters; deciders get approve,
 * reject and revoke. Read-only for everyone else (practice people, auditors).
 */
export function ExceptionList(props: {
  sites?: readonly SiteOption[] | undefined;
  canDecide: boolean;
  people?: readonly Assignee[] | undefined;
}) {
  const who = useWho(props.people);
  const [state, setState] = useState<ExceptionState | ''>('');
  const [siteId, setSiteId] = useState('');
  const [decision, setDecision] = useState<Decision | null>(null);
  const list = useQuery({
    queryKey: [...EXCEPTIONS_KEY, 'list', siteId, state],
    queryFn: () => api(ExceptionPage, 'GET', `/v1/exceptions${query({ limit: 200, siteId, state })}`),
  });
  const siteName = (id: string) => props.sites?.find((s) => s.id === id)?.name ?? `site ${id.slice(0, 8)}`;
  return (
    <>
      <div className="row" style={{ flexWrap: 'wrap' }}>
        <Select
          label="State"
          value={state}
          onChange={(v) => setState(v as ExceptionState | '')}
          testId="exception-state-filter"
          options={[{ value: '', label: 'Any state' }, ...ExceptionState.options.map((s) => ({ value: s, label: s }))]}
        />
        {props.sites && props.sites.length > 1 ? (
          <Select
            label="Site"
            value={siteId}
            onChange={setSiteId}
            testId="exception-site-filter"
            options={[{ value: '', label: 'All sites' }, ...props.sites.map((s) => ({ value: s.id, label: s.name }))]}
          />
        ) : null}
      </div>
      <Async query={list} what="exceptions">
        {(page) => (
          <Table
            caption="Compliance exceptions"
            testId="exceptions"
            rows={page.items}
            rowKey={(x) => x.id}
            empty={state || siteId ? 'No exceptions match.' : 'No exceptions: every check applies.'}
            columns={[
              {
                header: 'Excused from',
                cell: (x) => (
                  <>
                    {scopeText(x.scope)}
                    <div className="hint">
                      {x.checkIds.length} check{x.checkIds.length === 1 ? '' : 's'} ·{' '}
                      {x.hostId ? 'one host' : 'all hosts'}
                    </div>
                  </>
                ),
              },
              { header: 'Site', cell: (x) => siteName(x.siteId) },
              { header: 'Reason', cell: (x) => <span style={{ whiteSpace: 'pre-wrap' }}>{x.reason}</span> },
              { header: 'State', cell: (x) => <StateCell x={x} /> },
              { header: 'Expires', cell: (x) => new Date(x.expiresAt).toLocaleDateString() },
              {
                header: 'Requested by',
                cell: (x) =>
                  `${who(x.requestedBy, x.names.requestedBy)}, ${new Date(x.requestedAt).toLocaleDateString()}`,
              },
              {
                header: 'Decision',
                cell: (x) =>
                  x.decidedAt ? (
                    <span data-testid="decision">
                      {x.state === 'rejected' ? 'Rejected' : 'Approved'} by {who(x.decidedBy, x.names.decidedBy)}
                      {x.endedAt && x.state === 'revoked' ? `; revoked by ${who(x.endedBy, x.names.endedBy)}` : ''}
                      {x.decisionNote ? <div className="hint">“{x.decisionNote}”</div> : null}
                      {x.endNote ? (
                        <div className="hint" data-testid="end-note">
                          Revoked: “{x.endNote}”
                        </div>
                      ) : null}
                    </span>
                  ) : (
                    '—'
                  ),
              },
              ...(props.canDecide
                ? [
                    {
                      header: 'Actions',
                      cell: (x: ComplianceException) => (
                        <div className="row" style={{ flexWrap: 'wrap' }}>
                          {x.state === 'pending' ? (
                            <>
                              <Button kind="primary" onClick={() => setDecision({ kind: 'approve', target: x })}>
                                Approve
                              </Button>
                              <Button onClick={() => setDecision({ kind: 'reject', target: x })}>Reject</Button>
                            </>
                          ) : null}
                          {x.state === 'approved' ? (
                            <Button kind="danger" onClick={() => setDecision({ kind: 'revoke', target: x })}>
                              Revoke
                            </Button>
                          ) : null}
                        </div>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Async>
      <DecisionDialog decision={decision} onClose={() => setDecision(null)} />
    </>
  );
}
