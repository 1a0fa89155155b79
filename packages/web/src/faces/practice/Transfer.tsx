import { PracticeTransfer, PracticeTransferCreateRequest, PracticeTransferList } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api';
import { useSession } from '../../session';
import { validate } from '../../ui/forms';
import { Async, Button, Dialog, Field, messageOf, StatusBadge, Table, TextArea, useToast } from '../../ui/kit';
import { formatTime } from './shared/data';

const requestsUrl = (practiceId: string) => `/v1/practices/${practiceId}/transfer-requests`;
const keyOf = (practiceId: string) => ['transfer-requests', practiceId] as const;

function RequestForm({ practiceId }: { practiceId: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const [slug, setSlug] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const file = useMutation({
    mutationFn: (body: PracticeTransferCreateRequest) => api(PracticeTransfer, 'POST', requestsUrl(practiceId), body),
  });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(PracticeTransferCreateRequest, { toPartnerSlug: slug, reason });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    try {
      await file.mutateAsync(checked.data);
      toast('Transfer requested: the platform team will decide');
      setSlug('');
      setReason('');
      await client.invalidateQueries({ queryKey: keyOf(practiceId) });
    } catch (error) {
      if (error instanceof ApiError) setErrors(error.fieldErrors());
      setFormError(messageOf(error));
    }
  }
  return (
    <form className="card" onSubmit={submit} noValidate data-testid="transfer-form" aria-labelledby="transfer-form-h">
      <h2 id="transfer-form-h" style={{ marginTop: 0 }}>
        Ask to move to another partner
      </h2>
      <p className="hint">
        Your new IT partner tells you their identifier (for example <code>acme-it</code>). The platform team reviews
        every request; your current partner keeps looking after you until then.
      </p>
      <Field
        label="Destination partner (identifier)"
        value={slug}
        onChange={(e) => setSlug(e.target.value)}
        error={errors.toPartnerSlug}
        autoComplete="off"
      />
      <TextArea label="Reason" value={reason} onChange={setReason} error={errors.reason} />
      {formError ? (
        <p className="form-error" role="alert" data-testid="transfer-error">
          {formError}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={file.isPending}>
        Request transfer
      </Button>
    </form>
  );
}

function Requests({ practiceId }: { practiceId: string }) {
  const client = useQueryClient();
  const toast = useToast();
  const [target, setTarget] = useState<PracticeTransfer | null>(null);
  const requests = useQuery({
    queryKey: keyOf(practiceId),
    queryFn: () => api(PracticeTransferList, 'GET', requestsUrl(practiceId)),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api(PracticeTransfer, 'POST', `${requestsUrl(practiceId)}/${id}/cancel`),
    onSuccess: async () => {
      setTarget(null);
      toast('Transfer request cancelled');
      await client.invalidateQueries({ queryKey: keyOf(practiceId) });
    },
  });
  const close = () => {
    setTarget(null);
    cancel.reset();
  };
  return (
    <section aria-labelledby="transfer-list-h">
      <h2 id="transfer-list-h">Your requests</h2>
      <Async query={requests} what="transfer requests">
        {(list) => (
          <Table
            caption="Transfer requests"
            testId="transfer-requests"
            rows={list.items}
            rowKey={(r) => r.id}
            empty="No transfer requests."
            columns={[
              { header: 'Requested', cell: (r) => formatTime(r.requestedAt) },
              { header: 'Reason', cell: (r) => r.reason },
              { header: 'State', cell: (r) => <StatusBadge value={r.state} /> },
              { header: 'Note', cell: (r) => r.decisionNote ?? '' },
              {
                header: 'Actions',
                cell: (r) =>
                  r.state === 'pending' ? (
                    <Button kind="danger" onClick={() => setTarget(r)}>
                      Cancel request
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
      </Async>
      <Dialog open={target !== null} title="Cancel the transfer request?" onClose={close}>
        <p>The request is withdrawn and the practice stays with its partner. You can ask again later.</p>
        {cancel.error ? (
          <p className="form-error" role="alert">
            {messageOf(cancel.error)}
          </p>
        ) : null}
        <div className="row">
          <Button
            kind="danger"
            busy={cancel.isPending}
            testId="confirm-cancel"
            onClick={() => target && cancel.mutate(target.id)}
          >
            Cancel request
          </Button>
          <Button onClick={close}>Keep it</Button>
        </div>
      </Dialog>
    </section>
  );
}

/** The owner asks to move the practice to another partner, follows the request and may withdraw it. */
export function TransferPage() {
  const { user } = useSession();
  if (!user?.practiceId) return null;
  if (user.role !== 'practice_owner')
    return (
      <div className="state error" role="alert" data-testid="access-denied">
        <h1>Only the owner can transfer the practice</h1>
        <p>Ask the owner of your practice if it should move to another IT partner.</p>
      </div>
    );
  return (
    <>
      <h1>Transfer</h1>
      <RequestForm practiceId={user.practiceId} />
      <Requests practiceId={user.practiceId} />
    </>
  );
}
