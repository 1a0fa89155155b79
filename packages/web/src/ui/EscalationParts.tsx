import {
  Escalation,
  EscalationNote,
  EscalationNoteList,
  EscalationNoteRequest,
  type EscalationPriority,
} from '@osiris/protocol';
import { type QueryKey, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { validate } from './forms';
import { Async, Button, messageOf, Select, TextArea, useToast } from './kit';

/** A person escalations can be assigned to (platform staff or the partner's people). */
export interface Assignee {
  id: string;
  name: string;
}

export const PRIORITY_OPTIONS: readonly { value: EscalationPriority | ''; label: string }[] = [
  { value: '', label: 'Any priority' },
  { value: 'P1', label: 'P1 (most urgent)' },
  { value: 'P2', label: 'P2' },
  { value: 'P3', label: 'P3' },
  { value: 'P4', label: 'P4' },
];

const PRIORITY_TONE: Record<EscalationPriority, string> = { P1: 'bad', P2: 'warn', P3: 'info', P4: '' };

export const PriorityBadge = ({ value }: { value: EscalationPriority }) => (
  <span className={`badge ${PRIORITY_TONE[value]}`} data-testid="priority">
    {value}
  </span>
);

/** The current time, re-read every `intervalMs` so countdowns move without refetching. */
export function useNow(intervalMs = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** "12 min left", "2 h 5 min left", "overdue by 3 min". */
function slaText(remainingMs: number): string {
  const span = (minutes: number) => {
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
    return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
  };
  if (remainingMs >= 0)
    return remainingMs < 60_000 ? 'under 1 min left' : `${span(Math.ceil(remainingMs / 60_000))} left`;
  return `overdue by ${span(Math.max(1, Math.floor(-remainingMs / 60_000)))}`;
}

/**
 * Milliseconds left to acknowledge, now: the server's `slaRemainingMs` (from its clock) minus the
 * time since the answer came, so a skewed browser clock does not move the deadline.
 */
export const remainingNow = (e: Escalation, fetchedAt: number, now: number): number | null =>
  e.slaRemainingMs === null ? null : e.slaRemainingMs - Math.max(0, now - fetchedAt);

/** The live acknowledge countdown of one escalation, with the breached badge. */
export function SlaTimer(props: { escalation: Escalation; fetchedAt: number; now: number }) {
  const { escalation: e } = props;
  const remaining = remainingNow(e, props.fetchedAt, props.now);
  return (
    <span data-testid="sla-timer" className="sla-timer">
      {remaining === null ? (
        <span className="hint">{e.state === 'open' ? '—' : `SLA met (${e.state})`}</span>
      ) : (
        <span className={`badge ${remaining < 0 ? 'bad' : remaining < 10 * 60_000 ? 'warn' : 'info'}`}>
          {slaText(remaining)}
        </span>
      )}
      {e.breachedAt ? (
        <>
          {' '}
          <span
            className="badge bad"
            data-testid="breached"
            title={`Breached ${new Date(e.breachedAt).toLocaleString()}`}
          >
            breached
          </span>
        </>
      ) : null}
    </span>
  );
}

/** Who someone is, for people: "you", their name when known, else a short id. */
export function useWho(people: readonly Assignee[] | undefined) {
  const { user } = useSession();
  /** `name`: the display name the API already gave, when it did. */
  return (userId: string | null, name?: string | null): string => {
    if (!userId) return '—';
    if (userId === user?.id) return 'you';
    return people?.find((p) => p.id === userId)?.name ?? name ?? `user ${userId.slice(0, 8)}`;
  };
}

/** Assign to me, unassign, or (when a list of people is available) pick someone. */
export function AssignControls(props: {
  escalation: Escalation;
  queryKey: QueryKey;
  people?: readonly Assignee[] | undefined;
  canOperate: boolean;
}) {
  const { escalation: e } = props;
  const { user } = useSession();
  const client = useQueryClient();
  const toast = useToast();
  const who = useWho(props.people);
  const [picked, setPicked] = useState('');
  const assign = useMutation({
    mutationFn: (userId: string | null) => api(Escalation, 'POST', `/v1/escalations/${e.id}/assign`, { userId }),
    onSuccess: async (updated) => {
      client.setQueryData(props.queryKey, updated);
      toast(updated.assignedTo ? `Assigned to ${who(updated.assignedTo)}` : 'Unassigned');
      await client.invalidateQueries({ queryKey: ['escalations'] });
    },
  });
  const resolved = e.state === 'resolved';
  return (
    <section className="card" aria-labelledby="assign-title" data-testid="assignment">
      <h2 id="assign-title">Assignment</h2>
      <p data-testid="assignee">
        {e.assignedTo
          ? `Assigned to ${who(e.assignedTo)} since ${new Date(e.assignedAt ?? e.receivedAt).toLocaleString()}`
          : 'Nobody has taken this on yet.'}
      </p>
      {props.canOperate && !resolved ? (
        <div className="row" style={{ flexWrap: 'wrap', alignItems: 'flex-end' }}>
          {e.assignedTo !== user?.id ? (
            <Button kind="primary" busy={assign.isPending} onClick={() => assign.mutate(user?.id ?? null)}>
              Assign to me
            </Button>
          ) : null}
          {e.assignedTo ? (
            <Button busy={assign.isPending} onClick={() => assign.mutate(null)}>
              Unassign
            </Button>
          ) : null}
          {props.people && props.people.length > 0 ? (
            <>
              <Select
                label="Assign to"
                value={picked}
                onChange={setPicked}
                testId="assign-to"
                options={[
                  { value: '', label: 'Choose a person…' },
                  ...props.people.map((p) => ({ value: p.id, label: p.name })),
                ]}
              />
              <Button disabled={!picked} busy={assign.isPending} onClick={() => assign.mutate(picked)}>
                Assign
              </Button>
            </>
          ) : null}
        </div>
      ) : null}
      {assign.error ? (
        <p className="form-error" role="alert">
          {messageOf(assign.error)}
        </p>
      ) : null}
    </section>
  );
}

/** The notes on an escalation, oldest first, and a form to add one. */
export function EscalationNotes(props: {
  escalationId: string;
  people?: readonly Assignee[] | undefined;
  canOperate: boolean;
}) {
  const client = useQueryClient();
  const who = useWho(props.people);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | undefined>();
  const key = ['escalations', 'notes', props.escalationId];
  const notes = useQuery({
    queryKey: key,
    queryFn: () => api(EscalationNoteList, 'GET', `/v1/escalations/${props.escalationId}/notes`),
  });
  const add = useMutation({
    mutationFn: (request: EscalationNoteRequest) =>
      api(EscalationNote, 'POST', `/v1/escalations/${props.escalationId}/notes`, request),
    onSuccess: async () => {
      setBody('');
      await client.invalidateQueries({ queryKey: key });
    },
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    const checked = validate(EscalationNoteRequest, { body });
    if (!checked.ok) return setError(checked.errors.body ? 'Write a note (at most 4000 characters).' : 'Invalid note');
    setError(undefined);
    add.mutate(checked.data);
  }
  return (
    <section className="card" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <Async query={notes} what="notes">
        {(list) =>
          list.items.length === 0 ? (
            <p className="hint" data-testid="notes-empty">
              No notes yet.
            </p>
          ) : (
            <ol className="notes" data-testid="notes" style={{ paddingLeft: 20 }}>
              {list.items.map((n) => (
                <li key={n.id}>
                  <p style={{ whiteSpace: 'pre-wrap', margin: '0 0 4px' }}>{n.body}</p>
                  <span className="hint">
                    {who(n.authorId)} · {new Date(n.createdAt).toLocaleString()}
                  </span>
                </li>
              ))}
            </ol>
          )
        }
      </Async>
      {props.canOperate ? (
        <form onSubmit={submit} noValidate>
          <TextArea label="Add a note" value={body} onChange={setBody} error={error} testId="note-body" />
          {add.error ? (
            <p className="form-error" role="alert">
              {messageOf(add.error)}
            </p>
          ) : null}
          <Button type="submit" busy={add.isPending}>
            Add note
          </Button>
        </form>
      ) : null}
    </section>
  );
}
