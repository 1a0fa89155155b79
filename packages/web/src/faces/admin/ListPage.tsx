import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { z } from 'zod';
import { ApiError, api, query } from '../../api';
import { validate } from '../../ui/forms';
import { Button, type Column, Dialog, Field, messageOf, Select, Table, useToast } from '../../ui/kit';
import { Confirm, FormError, Load, useCan, useDialog } from './common';

/** How many items one request asks for (the API's maximum). */
const PAGE_SIZE = 200;

interface Row {
  id: string;
  name: string;
}
interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/** One editable field of a row: a text input, or a select when `options` are given. */
export interface EditField {
  key: string;
  label: string;
  type?: 'text' | 'email';
  /** Clearing the field sends null. */
  nullable?: boolean;
  hint?: string;
  options?: readonly { value: string; label: string }[];
}

const asText = (v: unknown) => (typeof v === 'string' ? v : '');

/** Edits a row with PATCH `path/:id`; only changed fields are sent, checked with the update schema. */
function EditDialog<T extends Row>(props: {
  noun: string;
  path: string;
  row: T;
  fields: readonly EditField[];
  itemSchema: z.ZodType<T>;
  updateSchema: z.ZodType;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const toast = useToast();
  const initial = Object.fromEntries(
    props.fields.map((f) => [f.key, asText((props.row as unknown as Record<string, unknown>)[f.key])]),
  );
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: unknown) => api(props.itemSchema, 'PATCH', `${props.path}/${props.row.id}`, body),
    onSuccess: async (saved) => {
      toast(`${props.noun[0]?.toUpperCase()}${props.noun.slice(1)} ${saved.name} saved`);
      await client.invalidateQueries({ queryKey: ['admin'] });
      props.onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(error.fieldErrors());
      setFormError(messageOf(error));
    },
  });
  const set = (key: string, value: string) => setValues((all) => ({ ...all, [key]: value }));
  return (
    <Dialog open title={`Edit ${props.row.name}`} onClose={props.onClose}>
      <form
        aria-label={`Edit ${props.noun}`}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setFormError(null);
          const body: Record<string, string | null> = {};
          for (const f of props.fields) {
            const value = values[f.key] ?? '';
            if (value === initial[f.key]) continue;
            body[f.key] = value.trim() === '' && f.nullable ? null : value;
          }
          if (Object.keys(body).length === 0) return props.onClose();
          const checked = validate(props.updateSchema, body);
          if (!checked.ok) {
            setErrors(checked.errors);
            if (checked.errors._) setFormError(checked.errors._);
            return;
          }
          setErrors({});
          save.mutate(checked.data);
        }}
      >
        {props.fields.map((f) =>
          f.options ? (
            <Select
              key={f.key}
              label={f.label}
              value={values[f.key] ?? ''}
              options={f.options}
              onChange={(v) => set(f.key, v)}
            />
          ) : (
            <Field
              key={f.key}
              label={f.label}
              type={f.type ?? 'text'}
              value={values[f.key] ?? ''}
              error={errors[f.key]}
              {...(f.hint ? { hint: f.hint } : {})}
              onChange={(e) => set(f.key, e.target.value)}
            />
          ),
        )}
        <FormError message={formError} />
        <div className="row" style={{ marginTop: 16 }}>
          <Button type="submit" kind="primary" busy={save.isPending}>
            Save
          </Button>
          <Button onClick={props.onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A button inside a clickable table row: its click does not open the row. */
function RowButton(props: { label: string; kind?: 'plain' | 'danger'; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      className={`btn ${props.kind ?? 'plain'}`}
      aria-label={props.label}
      onClick={(e) => {
        e.stopPropagation();
        props.onClick();
      }}
      onKeyDown={(e) => e.stopPropagation()}
    >
      {props.children}
    </button>
  );
}

/**
 * A collection's list page: title, create form, search or filters, a table walked 200 items at a
 * time ("Load more"), and per-row edit (operator) and delete (platform admin) with confirmation.
 */
export function ListPage<T extends Row>(props: {
  title: string;
  /** Singular, lowercase: "site". */
  noun: string;
  /** The collection's path: "/v1/sites". */
  path: string;
  pageSchema: z.ZodType<PageOf<T>>;
  itemSchema: z.ZodType<T>;
  updateSchema: z.ZodType;
  editFields: readonly EditField[];
  /** Extra list filters sent as query parameters. */
  params?: Record<string, string | undefined>;
  /** Show a free-text search field. */
  search?: boolean;
  filters?: ReactNode;
  create: (done: () => void) => ReactNode;
  columns: readonly Column<T>[];
  sort?: (a: T, b: T) => number;
  caption: string;
  testId: string;
  empty: string;
  onOpen?: (row: T) => void;
}) {
  const client = useQueryClient();
  const toast = useToast();
  const canEdit = useCan('operator');
  const canDelete = useCan('admin');
  const [creating, setCreating] = useState(false);
  const [q, setQ] = useState('');
  const editing = useDialog<T>();
  const deleting = useDialog<T>();
  const list = useInfiniteQuery({
    queryKey: ['admin', props.path, 'list', props.params ?? {}, q.trim()],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api(
        props.pageSchema,
        'GET',
        `${props.path}${query({ ...props.params, limit: PAGE_SIZE, q: q.trim() || undefined, cursor: pageParam })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const remove = useMutation({
    mutationFn: (row: T) => api(z.undefined(), 'DELETE', `${props.path}/${row.id}`),
    onSuccess: async (_, row) => {
      deleting.close();
      toast(`${row.name} deleted`);
      await client.invalidateQueries({ queryKey: ['admin'] });
    },
  });
  const rows = list.data?.pages.flatMap((p) => p.items);
  const actions: Column<T> = {
    header: 'Actions',
    cell: (r) => (
      <div className="row">
        {canEdit ? (
          <RowButton label={`Edit ${r.name}`} onClick={() => editing.open(r)}>
            Edit
          </RowButton>
        ) : null}
        {canDelete ? (
          <RowButton
            label={`Delete ${r.name}`}
            kind="danger"
            onClick={() => {
              remove.reset();
              deleting.open(r);
            }}
          >
            Delete
          </RowButton>
        ) : null}
      </div>
    ),
  };
  const titleId = `${props.testId}-title`;
  return (
    <section aria-labelledby={titleId}>
      <div className="row">
        <h1 id={titleId}>{props.title}</h1>
        <span className="spacer" />
        {canEdit && !creating ? (
          <Button kind="primary" onClick={() => setCreating(true)}>
            New {props.noun}
          </Button>
        ) : null}
      </div>
      {creating ? props.create(() => setCreating(false)) : null}
      {props.filters}
      {props.search ? <Field label="Search" type="search" value={q} onChange={(e) => setQ(e.target.value)} /> : null}
      <Load
        query={{ data: rows, isLoading: list.isLoading, error: list.error, refetch: list.refetch }}
        what={props.title.toLowerCase()}
      >
        {(items) => (
          <>
            <Table
              caption={props.caption}
              testId={props.testId}
              rows={props.sort ? [...items].sort(props.sort) : items}
              rowKey={(r) => r.id}
              empty={props.empty}
              {...(props.onOpen ? { onOpen: props.onOpen } : {})}
              columns={canEdit || canDelete ? [...props.columns, actions] : props.columns}
            />
            {list.hasNextPage ? (
              <div className="row" style={{ marginTop: 12 }}>
                <span className="hint" data-testid={`${props.testId}-count`}>
                  Showing {items.length}
                </span>
                <Button busy={list.isFetchingNextPage} onClick={() => list.fetchNextPage()} testId="load-more">
                  Load more
                </Button>
              </div>
            ) : null}
          </>
        )}
      </Load>
      {editing.target ? (
        <EditDialog
          key={editing.target.id}
          noun={props.noun}
          path={props.path}
          row={editing.target}
          fields={props.editFields}
          itemSchema={props.itemSchema}
          updateSchema={props.updateSchema}
          onClose={editing.close}
        />
      ) : null}
      <Confirm
        open={deleting.target !== null}
        title={`Delete ${deleting.target?.name ?? ''}`}
        confirmLabel="Delete"
        kind="danger"
        busy={remove.isPending}
        error={remove.error ? messageOf(remove.error) : null}
        onClose={deleting.close}
        onConfirm={() => deleting.target && remove.mutate(deleting.target)}
      >
        <p>The {props.noun} is deleted for good. This is refused while anything still belongs to it.</p>
      </Confirm>
    </section>
  );
}
