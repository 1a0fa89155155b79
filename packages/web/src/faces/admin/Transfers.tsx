import { PracticePage, PracticeTransfer, PracticeTransferPage, PracticeTransferRejectRequest } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { Button, messageOf, StatusBadge, Table, useToast } from '../../ui/kit';
import { DecisionDialogs, fmt, Load, Tabs, useCan, useDialog } from './common';
import { usePartners } from './Practices';

type State = PracticeTransfer['state'];

export function TransfersPage() {
  const client = useQueryClient();
  const toast = useToast();
  const isAdmin = useCan('admin');
  const [state, setState] = useState<State>('pending');
  const approving = useDialog<PracticeTransfer>();
  const rejecting = useDialog<PracticeTransfer>();
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | undefined>();
  const partners = usePartners();
  const practices = useQuery({
    queryKey: ['admin', 'practices', 'all'],
    queryFn: () => api(PracticePage, 'GET', '/v1/practices?limit=200'),
  });
  const list = useQuery({
    queryKey: ['admin', 'transfers', state],
    queryFn: () => api(PracticeTransferPage, 'GET', `/v1/admin/practice-transfers?state=${state}&limit=200`),
  });
  const decide = useMutation({
    mutationFn: (d: { kind: 'approve' | 'reject'; id: string; note: string }) =>
      api(
        PracticeTransfer,
        'POST',
        `/v1/admin/practice-transfers/${d.id}/${d.kind}`,
        d.note ? { note: d.note } : d.kind === 'approve' ? {} : { note: d.note },
      ),
    onSuccess: async (t) => {
      approving.close();
      rejecting.close();
      toast(`Transfer ${t.state}`);
      await client.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });
  const partnerName = (id: string) => partners.data?.items.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const practiceName = (id: string) => practices.data?.items.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const open = (kind: 'approve' | 'reject', t: PracticeTransfer) => {
    setNote('');
    setNoteError(undefined);
    decide.reset();
    (kind === 'approve' ? approving : rejecting).open(t);
  };
  return (
    <section aria-labelledby="transfers-title">
      <h1 id="transfers-title">Practice transfers</h1>
      <Tabs
        label="Transfers by state"
        value={state}
        onChange={setState}
        options={[
          { value: 'pending', label: 'Pending' },
          { value: 'approved', label: 'Approved' },
          { value: 'rejected', label: 'Rejected' },
          { value: 'cancelled', label: 'Cancelled' },
        ]}
      />
      <Load query={list} what="transfer requests">
        {(p) => (
          <Table
            caption="Practice transfer requests"
            testId="transfers"
            rows={p.items}
            rowKey={(t) => t.id}
            empty={`No ${state} transfer requests.`}
            columns={[
              { header: 'Practice', cell: (t) => practiceName(t.practiceId) },
              { header: 'From', cell: (t) => partnerName(t.fromPartnerId) },
              { header: 'To', cell: (t) => partnerName(t.toPartnerId) },
              { header: 'Reason', cell: (t) => t.reason },
              { header: 'Requested', cell: (t) => fmt(t.requestedAt) },
              {
                header: 'Decision',
                cell: (t) =>
                  t.state === 'pending' && isAdmin ? (
                    <div className="row">
                      <Button kind="primary" onClick={() => open('approve', t)}>
                        Approve
                      </Button>
                      <Button kind="danger" onClick={() => open('reject', t)}>
                        Reject
                      </Button>
                    </div>
                  ) : (
                    <>
                      <StatusBadge value={t.state} /> {t.decisionNote ?? ''}
                    </>
                  ),
              },
            ]}
          />
        )}
      </Load>
      <DecisionDialogs
        noun="transfer"
        approving={approving}
        rejecting={rejecting}
        decide={decide}
        note={{ value: note, set: setNote, error: noteError, setError: setNoteError }}
        approveText={() => 'The practice moves to the new partner now and its owner is emailed.'}
        rejectLabel="Why (the practice owner is told)"
        rejectSchema={PracticeTransferRejectRequest}
        missingNote="A reason is required"
      />
    </section>
  );
}
