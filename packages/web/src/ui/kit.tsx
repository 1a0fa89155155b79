import {
  createContext,
  type InputHTMLAttributes,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { ApiError } from '../api';

/** A button; `kind` picks the look. Disabled while `busy`. */
export function Button(props: {
  children: ReactNode;
  onClick?: () => void;
  kind?: 'primary' | 'danger' | 'plain';
  type?: 'button' | 'submit';
  busy?: boolean;
  disabled?: boolean;
  testId?: string;
  label?: string;
}) {
  return (
    <button
      type={props.type ?? 'button'}
      className={`btn ${props.kind ?? 'plain'}`}
      onClick={props.onClick}
      disabled={props.disabled || props.busy}
      aria-busy={props.busy || undefined}
      aria-label={props.label}
      data-testid={props.testId}
    >
      {props.busy ? '…' : props.children}
    </button>
  );
}

/** A labelled input with its error; the label is tied to the control for screen readers. */
export function Field(
  props: { label: string; error?: string | undefined; hint?: string } & InputHTMLAttributes<HTMLInputElement>,
) {
  const id = useId();
  const { label, error, hint, ...input } = props;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-e` : undefined}
        {...input}
      />
      {hint && !error ? <span className="hint">{hint}</span> : null}
      {error ? (
        <span className="error" id={`${id}-e`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** A labelled multi-line text input with its error. */
export function TextArea(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  testId?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        rows={3}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-e` : undefined}
        data-testid={props.testId}
      />
      {props.error ? (
        <span className="error" id={`${id}-e`} role="alert">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  testId?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export const Loading = ({ what }: { what: string }) => (
  <div className="state" role="status" aria-live="polite">
    Loading {what}…
  </div>
);

export const Empty = ({ children }: { children: ReactNode }) => (
  <div className="state" data-testid="empty">
    {children}
  </div>
);

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : 'Something went wrong';
  return (
    <div className="state error" role="alert" data-testid="error">
      <p>{message}</p>
      {retry ? <Button onClick={retry}>Try again</Button> : null}
    </div>
  );
}

/** Renders a query's three states around its data. */
export function Async<T>(props: {
  query: { data: T | undefined; isLoading: boolean; error: unknown; refetch: () => unknown };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (props.query.isLoading) return <Loading what={props.what} />;
  if (props.query.error || props.query.data === undefined)
    return <ErrorState error={props.query.error} retry={() => props.query.refetch()} />;
  return <>{props.children(props.query.data)}</>;
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/** A table with a caption for screen readers; rows may be links (click or Enter). */
export function Table<T>(props: {
  caption: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  empty: ReactNode;
  onOpen?: (row: T) => void;
  testId?: string;
}) {
  if (props.rows.length === 0) return <Empty>{props.empty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid={props.testId}>
        <caption className="sr-only" style={{ position: 'absolute', left: -9999 }}>
          {props.caption}
        </caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr
              key={props.rowKey(row)}
              tabIndex={props.onOpen ? 0 : undefined}
              style={props.onOpen ? { cursor: 'pointer' } : undefined}
              onClick={props.onOpen ? () => props.onOpen?.(row) : undefined}
              onKeyDown={props.onOpen ? (e) => e.key === 'Enter' && props.onOpen?.(row) : undefined}
            >
              {props.columns.map((c) => (
                <td key={c.header}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const StatusBadge = ({ value }: { value: string }) => <span className={`badge ${value}`}>{value}</span>;

/** A modal dialog (native <dialog>: focus trap and Esc for free). */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} onClose={props.onClose} aria-label={props.title}>
      <h2 style={{ marginTop: 0 }}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

interface Toast {
  id: number;
  text: string;
  kind: 'ok' | 'error';
}
const ToastContext = createContext<(text: string, kind?: Toast['kind']) => void>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((text: string, kind: Toast['kind'] = 'ok') => {
    const id = Date.now() + Math.random();
    setToasts((all) => [...all, { id, text, kind }]);
    setTimeout(() => setToasts((all) => all.filter((t) => t.id !== id)), 5000);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div
            key={t.id}
            className={`toast ${t.kind}`}
            role={t.kind === 'error' ? 'alert' : 'status'}
            data-testid="toast"
          >
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);

/** The message to show for a failed mutation. */
export const messageOf = (error: unknown): string =>
  error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong';
