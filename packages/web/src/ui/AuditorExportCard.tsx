import { type FormEvent, useState } from 'react';
import { ApiError, query } from '../api';
import { Button, Field } from './kit';
import { downloadWithProgress, saveBlob } from './proofs-api';

const DAY_MS = 86_400_000;
/** The export's default period: the last 31 days, as central defaults it too. */
const DEFAULT_DAYS = 31;

const isoDay = (at: Date) => at.toISOString().slice(0, 10);
const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

type Download =
  | { state: 'idle' }
  | { state: 'busy'; received: number; total: number | null }
  | { state: 'done'; name: string; bytes: number }
  | { state: 'error'; message: string };

/** The period as the API takes it: from the start of the first UTC day to the end of the last (at most now). */
function periodOf(fromDay: string, toDay: string, now = new Date()): { from: string; to: string } {
  const end = Math.min(Date.parse(`${toDay}T00:00:00Z`) + DAY_MS, now.getTime());
  return { from: new Date(`${fromDay}T00:00:00Z`).toISOString(), to: new Date(end).toISOString() };
}

const conflictMessage =
  'No signed tree head exists yet, so there is nothing the evidence could be proven against. The log signs one within minutes of the first evidence: try again shortly.';

function explain(error: unknown): { message: string; fields: Record<string, string> } {
  if (!(error instanceof ApiError)) return { message: 'The export could not be downloaded', fields: {} };
  if (error.status === 409) return { message: conflictMessage, fields: {} };
  return { message: error.message, fields: error.fieldErrors() };
}

/**
 * Downloads the auditor export of a practice: a ZIP with every bundle of the period, its inclusion
 * proofs, the signed tree heads and their timestamps, packets and a README, to verify offline.
 */
export function AuditorExportCard({ practiceId }: { practiceId: string }) {
  const today = isoDay(new Date());
  const [fromDay, setFromDay] = useState(isoDay(new Date(Date.now() - DEFAULT_DAYS * DAY_MS)));
  const [toDay, setToDay] = useState(today);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [download, setDownload] = useState<Download>({ state: 'idle' });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!isDay(fromDay)) found.from = 'Choose the first day';
    if (!isDay(toDay)) found.to = 'Choose the last day';
    else if (toDay > today) found.to = 'The period cannot end in the future';
    if (!found.from && !found.to && fromDay > toDay) found.to = 'The last day must not be before the first';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setDownload({ state: 'busy', received: 0, total: null });
    try {
      const period = periodOf(fromDay, toDay);
      const file = await downloadWithProgress(
        `/v1/practices/${encodeURIComponent(practiceId)}/evidence-export${query(period)}`,
        (received, total) => setDownload({ state: 'busy', received, total }),
      );
      const name = file.filename ?? `osiriscare-auditor-export-${fromDay}-${toDay}.zip`;
      saveBlob(name, file.blob);
      setDownload({ state: 'done', name, bytes: file.blob.size });
    } catch (error) {
      const { message, fields } = explain(error);
      setErrors({ ...(fields.from ? { from: fields.from } : {}), ...(fields.to ? { to: fields.to } : {}) });
      setDownload({ state: 'error', message });
    }
  }

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="export-h" data-testid="export-card">
      <h2 id="export-h" style={{ marginTop: 0 }}>
        Auditor export
      </h2>
      <p className="hint">
        One ZIP file with every evidence bundle of the period, each bundle's proof of inclusion in the transparency log,
        the signed tree heads with their timestamps, the monthly packets and a README. An auditor verifies it offline,
        with the osiris-verify tool or below in this browser.
      </p>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <Field
          label="From"
          type="date"
          max={today}
          value={fromDay}
          onChange={(e) => setFromDay(e.target.value)}
          error={errors.from}
          data-testid="export-from"
        />
        <Field
          label="To"
          type="date"
          max={today}
          value={toDay}
          onChange={(e) => setToDay(e.target.value)}
          error={errors.to}
          data-testid="export-to"
        />
      </div>
      <Button type="submit" kind="primary" busy={download.state === 'busy'} testId="export-download">
        Download auditor export
      </Button>
      <div aria-live="polite" data-testid="export-status" style={{ marginTop: 12 }}>
        {download.state === 'busy' ? (
          <span>
            Preparing the export…{download.received > 0 ? ` ${kb(download.received)} received` : ''}
            {download.total ? ` of ${kb(download.total)}` : ''}
          </span>
        ) : null}
        {download.state === 'done' ? (
          <span>
            Downloaded <code>{download.name}</code> ({kb(download.bytes)}).
          </span>
        ) : null}
        {download.state === 'error' ? (
          <span className="form-error" role="alert" data-testid="export-error">
            {download.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}
