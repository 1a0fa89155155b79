import { type AuditEntry, AuditPage as AuditPageSchema } from '@osiris/protocol';
import { api, query } from '../../api';

/** At most this many entries go into one export (a filter narrows a bigger log). */
export const AUDIT_EXPORT_MAX = 10_000;

const COLUMNS = [
  'seq',
  'occurred_at',
  'action',
  'outcome',
  'actor_type',
  'actor',
  'target_type',
  'target_id',
  'ip',
  'request_id',
  'details',
  'hash',
] as const;

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function field(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) =>
    [
      e.seq,
      e.occurredAt,
      e.action,
      e.outcome,
      e.actorType,
      e.actorLabel,
      e.targetType,
      e.targetId,
      e.ip,
      e.requestId,
      JSON.stringify(e.details),
      e.hash,
    ]
      .map(field)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** Every entry matching the filter, newest first, page by page (up to AUDIT_EXPORT_MAX); reports progress. */
export async function fetchAuditForExport(action: string, onProgress: (count: number) => void): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await api(
      AuditPageSchema,
      'GET',
      `/v1/admin/audit${query({ limit: 200, action: action || undefined, cursor })}`,
    );
    entries.push(...page.items);
    onProgress(entries.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && entries.length < AUDIT_EXPORT_MAX);
  return entries.slice(0, AUDIT_EXPORT_MAX);
}

/** Hands the browser a file to save. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
