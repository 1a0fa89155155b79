import { LearningApproval, LearningCandidate, LearningCandidateList, LearningRejectRequest } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { Button, messageOf, StatusBadge, Table, useToast } from '../../ui/kit';
import { DecisionDialogs, fmt, Load, Tabs, useCan, useDialog } from './common';

type Status = LearningCandidate['status'];

export function LearningPage() {
  const client = useQueryClient();
  const toast = useToast();
  const isAdmin = useCan('admin');
  const [status, setStatus] = useState<Status>('candidate');
  const approving = useDialog<LearningCandidate>();
  const rejecting = useDialog<LearningCandidate>();
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | undefined>();
  const list = useQuery({
    queryKey: ['admin', 'learning', status],
    queryFn: () => api(LearningCandidateList, 'GET', `/v1/learning/candidates?status=${status}`),
  });
  const decide = useMutation({
    mutationFn: (d: { kind: 'approve' | 'reject'; id: string; note: string }) =>
      d.kind === 'approve'
        ? api(LearningApproval, 'POST', `/v1/learning/candidates/${d.id}/approve`, d.note ? { note: d.note } : {}).then(
            (a) => ({ candidate: a.candidate, orders: a.ordersIssued }),
          )
        : api(LearningCandidate, 'POST', `/v1/learning/candidates/${d.id}/reject`, { note: d.note }).then((c) => ({
            candidate: c,
            orders: 0,
          })),
    onSuccess: async ({ candidate, orders }) => {
      approving.close();
      rejecting.close();
      setNote('');
      toast(
        candidate.status === 'approved'
          ? `Approved: rule sent to ${orders} appliance${orders === 1 ? '' : 's'}`
          : 'Candidate rejected',
      );
      await client.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  const open = (kind: 'approve' | 'reject', c: LearningCandidate) => {
    setNote('');
    setNoteError(undefined);
    decide.reset();
    (kind === 'approve' ? approving : rejecting).open(c);
  };
  return (
    <section aria-labelledby="learning-title">
      <h1 id="learning-title">Learning</h1>
      <p className="hint">
        Patterns the L2 planner fixed reliably; approving one makes it an L1 rule on every appliance.
      </p>
      <Tabs
        label="Candidates by status"
        value={status}
        onChange={setStatus}
        options={[
          { value: 'candidate', label: 'Candidates' },
          { value: 'approved', label: 'Approved' },
          { value: 'rejected', label: 'Rejected' },
        ]}
      />
      <Load query={list} what="learning candidates">
        {(p) => (
          <Table
            caption={`Learning ${status}s`}
            testId="learning"
            rows={p.items}
            rowKey={(c) => c.id}
            empty={status === 'candidate' ? 'No candidates waiting.' : `Nothing ${status} yet.`}
            columns={[
              { header: 'Check', cell: (c) => c.checkId },
              { header: 'Runbook', cell: (c) => c.runbookId },
              {
                header: 'L2 success',
                cell: (c) => `${c.l2Successes}/${c.l2Attempts} (${Math.round(c.successRate * 100)}%)`,
              },
              { header: 'Sites', cell: (c) => c.siteCount },
              { header: 'Last seen', cell: (c) => fmt(c.lastSeenAt) },
              {
                header: status === 'candidate' ? 'Decision' : 'Status',
                cell: (c) =>
                  c.status === 'candidate' ? (
                    isAdmin ? (
                      <div className="row">
                        <Button kind="primary" onClick={() => open('approve', c)}>
                          Approve
                        </Button>
                        <Button kind="danger" onClick={() => open('reject', c)}>
                          Reject
                        </Button>
                      </div>
                    ) : (
                      <StatusBadge value="pending" />
                    )
                  ) : (
                    <>
                      <StatusBadge value={c.status === 'approved' ? 'active' : 'rejected'} /> {c.note ?? ''}
                    </>
                  ),
              },
            ]}
          />
        )}
      </Load>
      <DecisionDialogs
        noun="candidate"
        approving={approving}
        rejecting={rejecting}
        decide={decide}
        note={{ value: note, set: setNote, error: noteError, setError: setNoteError }}
        approveText={(c) => `${c?.checkId} → ${c?.runbookId} becomes an L1 rule on every appliance.`}
        rejectLabel="Why (required)"
        rejectSchema={LearningRejectRequest}
        missingNote="A note is required"
      />
    </section>
  );
}
