import type { ExportSummary, ExportVerifyResult } from '@osiris/protocol';
import { type ChangeEvent, useId, useState } from 'react';
import { Field, StatusBadge } from './kit';

/** Exports larger than this are refused before reading (the browser holds the whole ZIP in memory). */
const MAX_EXPORT_BYTES = 1024 ** 3;

type Check =
  | { state: 'idle' }
  | { state: 'running'; file: string; step: string; done: number; total: number }
  | { state: 'done'; file: string; result: ExportVerifyResult }
  | { state: 'error'; file: string; message: string };

function Summary({ summary }: { summary: ExportSummary }) {
  const rows: [string, string | number][] = [
    ['Practice', summary.practiceName ?? '—'],
    [
      'Period',
      summary.period
        ? `${new Date(summary.period.from).toLocaleString()} to ${new Date(summary.period.to).toLocaleString()}`
        : '—',
    ],
    ['Appliances', summary.appliances],
    ['Evidence bundles', summary.bundles],
    ['Inclusion proofs', summary.proofs],
    ['Tree heads', summary.treeHeads],
    ['Consistency proofs', summary.consistencyProofs],
    [
      'Timestamps',
      `${summary.tsaTokens} (${summary.tsaTrustSource === 'none' ? 'no TSA trust list' : `TSA trusted from the ${summary.tsaTrustSource}`})`,
    ],
    ['Packets', summary.packets],
    ['Files', summary.files],
  ];
  return (
    <>
      <dl
        data-testid="export-summary"
        style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 12px', margin: '8px 0' }}
      >
        {rows.map(([label, value]) => (
          <div key={label} style={{ display: 'contents' }}>
            <dt>{label}</dt>
            <dd style={{ margin: 0 }}>{value}</dd>
          </div>
        ))}
      </dl>
      {summary.warnings.length > 0 ? (
        <ul data-testid="export-warnings">
          {summary.warnings.map((w) => (
            <li key={w}>
              <StatusBadge value="warn" /> {w}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function Result({ check }: { check: Check }) {
  if (check.state === 'idle') return null;
  if (check.state === 'running') return <span>Verifying {check.file}…</span>;
  if (check.state === 'error')
    return (
      <span className="form-error" role="alert" data-testid="export-verify-failure">
        {check.file} cannot be verified: {check.message}
      </span>
    );
  const { result } = check;
  if (result.ok)
    return (
      <div data-testid="export-verify-ok">
        <StatusBadge value="pass" /> <strong>Verified:</strong> every check of {check.file} held ({result.steps.length}{' '}
        steps).
        <Summary summary={result.summary} />
      </div>
    );
  return (
    <div role="alert" data-testid="export-verify-failure">
      <StatusBadge value="fail" /> <strong>Not verified.</strong> The first item that does not hold is{' '}
      <code data-testid="export-failing-item" style={{ wordBreak: 'break-all' }}>
        {result.failure.item}
      </code>{' '}
      ({result.failure.step}): {result.failure.message}
      {result.steps.length > 0 ? (
        <details style={{ marginTop: 8 }}>
          <summary>{result.steps.length} checks held before it</summary>
          <ul>
            {result.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

/**
 * Verifies an auditor export file in this browser: the manifest and its signature, the log key,
 * tree heads, consistency proofs, timestamps, every bundle chain and inclusion proof, packets and
 * file hashes. The file never leaves the browser.
 */
export function ExportVerifyCard() {
  const inputId = useId();
  const [pinned, setPinned] = useState('');
  const [check, setCheck] = useState<Check>({ state: 'idle' });

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX_EXPORT_BYTES) {
      setCheck({ state: 'error', file: file.name, message: 'the file is larger than 1 GB' });
      return;
    }
    setCheck({ state: 'running', file: file.name, step: 'reading the file', done: 0, total: 1 });
    try {
      const [{ verifyExportZip }, bytes] = await Promise.all([
        import('./export-verifier'),
        file.arrayBuffer().then((b) => new Uint8Array(b)),
      ]);
      const key = pinned.trim();
      const result = await verifyExportZip(bytes, {
        ...(key ? { pinnedLogKey: key } : {}),
        onProgress: (p) => setCheck({ state: 'running', file: file.name, ...p }),
      });
      setCheck({ state: 'done', file: file.name, result });
    } catch (error) {
      setCheck({ state: 'error', file: file.name, message: error instanceof Error ? error.message : String(error) });
    }
  }

  return (
    <section className="card" aria-labelledby="verify-export-h" style={{ marginTop: 16 }}>
      <h2 id="verify-export-h" style={{ marginTop: 0 }}>
        Verify an export file
      </h2>
      <p className="hint">
        Choose an auditor export ZIP. Your browser checks every signature, hash and proof in it; the file is not
        uploaded anywhere.
      </p>
      <Field
        label="Log key you got elsewhere (optional)"
        value={pinned}
        onChange={(e) => setPinned(e.target.value)}
        hint="Its key id (16 hex characters) or public key, e.g. from a packet or your IT partner. Empty: the key in the export is used."
        spellCheck={false}
        autoComplete="off"
      />
      <div className="field">
        <label htmlFor={inputId}>Export file (ZIP)</label>
        <input
          id={inputId}
          type="file"
          accept=".zip,application/zip"
          onChange={onFile}
          disabled={check.state === 'running'}
          data-testid="export-file"
        />
      </div>
      {check.state === 'running' ? (
        <div>
          <label htmlFor={`${inputId}-p`} className="hint">
            {check.step}
            {check.total > 1 ? ` (${check.done} of ${check.total})` : ''}
          </label>
          <br />
          <progress
            id={`${inputId}-p`}
            max={Math.max(1, check.total)}
            value={check.done}
            style={{ width: '100%', maxWidth: 320 }}
          />
        </div>
      ) : null}
      <div aria-live="polite" data-testid="export-verify-result" style={{ marginTop: 12 }}>
        <Result check={check} />
      </div>
    </section>
  );
}
