import { ROLE_RANK, type Role } from '@osiris/protocol';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../../api';
import { useSession } from '../../session';
import type { z } from 'zod';
import { validate } from '../../ui/forms';
import { Button, Dialog, ErrorState, Loading, messageOf, TextArea } from '../../ui/kit';

/** The signed-in staff member's platform role (readonly when unknown). */
function useRole(): Role {
  const { user } = useSession();
  const role = user?.role;
  return role === 'admin' || role === 'operator' || role === 'readonly' ? role : 'readonly';
}

/** Whether the signed-in staff member has at least this role. */
export function useCan(min: Role): boolean {
  return ROLE_RANK[useRole()] >= ROLE_RANK[min];
}

export const Denied = () => (
  <div className="state error" role="alert" data-testid="access-denied">
    <h1>You do not have access to this page</h1>
    <p>Ask a platform administrator if you need it.</p>
  </div>
);

export const isForbidden = (error: unknown) => error instanceof ApiError && error.status === 403;

/** Like the kit's Async, but a 403 answer shows the access-denied message. */
export function Load<T>(props: {
  query: { data: T | undefined; isLoading: boolean; error: unknown; refetch: () => unknown };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (props.query.isLoading) return <Loading what={props.what} />;
  if (isForbidden(props.query.error)) return <Denied />;
  if (props.query.error || props.query.data === undefined)
    return <ErrorState error={props.query.error} retry={() => props.query.refetch()} />;
  return <>{props.children(props.query.data)}</>;
}

export const fmt = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** A confirmation dialog; `onConfirm` may fail, its message is then shown in the dialog. */
export function Confirm(props: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  kind?: 'primary' | 'danger';
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      {props.children}
      {props.error ? (
        <p className="form-error" role="alert" data-testid="dialog-error">
          {props.error}
        </p>
      ) : null}
      <div className="row" style={{ marginTop: 16 }}>
        <Button kind={props.kind ?? 'primary'} busy={props.busy} onClick={props.onConfirm} testId="confirm">
          {props.confirmLabel}
        </Button>
        <Button onClick={props.onClose}>Cancel</Button>
      </div>
    </Dialog>
  );
}

/** Small state helper for a dialog with a target. */
export function useDialog<T>() {
  const [target, setTarget] = useState<T | null>(null);
  return { target, open: (t: T) => setTarget(t), close: () => setTarget(null) };
}

/** A form-level error line (server answers). */
export const FormError = ({ message }: { message: string | null }) =>
  message ? (
    <p className="form-error" role="alert" data-testid="form-error">
      {message}
    </p>
  ) : null;

/** A row of filter buttons acting as tabs. */
export function Tabs<V extends string>(props: {
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (v: V) => void;
}) {
  return (
    <div className="tabs" role="tablist" aria-label={props.label}>
      {props.options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="tab"
          className="btn"
          aria-selected={props.value === o.value}
          onClick={() => props.onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/**
 * The approve / reject pair of a decision list (learning candidates, practice transfers): approve
 * with an optional note, reject with a required one checked by the server's schema.
 */
export function DecisionDialogs<T extends { id: string }>(props: {
  noun: string;
  approving: ReturnType<typeof useDialog<T>>;
  rejecting: ReturnType<typeof useDialog<T>>;
  decide: {
    isPending: boolean;
    error: unknown;
    mutate(decision: { kind: 'approve' | 'reject'; id: string; note: string }): void;
  };
  note: {
    value: string;
    set(value: string): void;
    error: string | undefined;
    setError(error: string | undefined): void;
  };
  approveText: (target: T | null) => ReactNode;
  rejectLabel: string;
  rejectSchema: z.ZodType<{ note: string }>;
  missingNote: string;
}) {
  const { approving, rejecting, decide, note } = props;
  const error = decide.error ? messageOf(decide.error) : null;
  return (
    <>
      <Confirm
        open={approving.target !== null}
        title={`Approve the ${props.noun}`}
        confirmLabel="Approve"
        busy={decide.isPending}
        error={error}
        onClose={approving.close}
        onConfirm={() =>
          approving.target && decide.mutate({ kind: 'approve', id: approving.target.id, note: note.value.trim() })
        }
      >
        <p>{props.approveText(approving.target)}</p>
        <TextArea label="Note (optional)" value={note.value} onChange={note.set} />
      </Confirm>
      <Confirm
        open={rejecting.target !== null}
        title={`Reject the ${props.noun}`}
        confirmLabel="Reject"
        kind="danger"
        busy={decide.isPending}
        error={error}
        onClose={rejecting.close}
        onConfirm={() => {
          const checked = validate(props.rejectSchema, { note: note.value });
          if (!checked.ok) return note.setError(checked.errors.note ?? props.missingNote);
          note.setError(undefined);
          if (rejecting.target) decide.mutate({ kind: 'reject', id: rejecting.target.id, note: checked.data.note });
        }}
      >
        <TextArea label={props.rejectLabel} value={note.value} onChange={note.set} error={note.error} />
      </Confirm>
    </>
  );
}
