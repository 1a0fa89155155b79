import type { EvidenceRecord } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Async, Button, Dialog, Field, Select, StatusBadge, Table } from '../../../ui/kit';
import { checkTitle, fetchEvidencePage, formatTime } from './data';
import { VerifyInBrowser } from './VerifyEvidence';

const PAGE_SIZE = 25;

/** Saves a bundle as a JSON file (exactly as signed, so it can be re-verified elsewhere). */
function downloadJson(name: string, value: unknown) {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function BundleDetail({ record, onClose }: { record: EvidenceRecord | null; onClose: () => void }) {
  const b = record?.signed.bundle;
  return (
    <Dialog open={record !== null} title={record ? `Bundle ${record.seq}` : 'Bundle'} onClose={onClose}>
      {record && b ? (
        <div data-testid="bundle-detail">
          <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 12px', margin: 0 }}>
            <dt>Check</dt>
            <dd style={{ margin: 0 }}>
              {checkTitle(b.checkId)} <code>{b.checkId}</code>
            </dd>
            <dt>Status</dt>
            <dd style={{ margin: 0 }}>
              <StatusBadge value={b.status} />
            </dd>
            <dt>Computer</dt>
            <dd style={{ margin: 0 }}>
              {b.hostname} <code>{b.hostId}</code>
            </dd>
            <dt>Appliance</dt>
            <dd style={{ margin: 0 }}>
              <code>{b.applianceId}</code>
            </dd>
            <dt>Started</dt>
            <dd style={{ margin: 0 }}>{formatTime(b.startedAt)}</dd>
            <dt>Finished</dt>
            <dd style={{ margin: 0 }}>{formatTime(b.finishedAt)}</dd>
            <dt>Clock offset</dt>
            <dd style={{ margin: 0 }}>{b.clockOffsetMs} ms</dd>
            <dt>Controls</dt>
            <dd style={{ margin: 0 }}>{b.controls.join(', ') || '—'}</dd>
            <dt>Kind</dt>
            <dd style={{ margin: 0 }}>{b.kind ?? 'check run'}</dd>
            <dt>Received</dt>
            <dd style={{ margin: 0 }}>{formatTime(record.receivedAt)}</dd>
          </dl>
          {[
            ['Hash', record.signed.hash, 'detail-hash'],
            ['Previous hash', b.prevHash, 'detail-prev'],
            ['Signature', record.signed.signature, 'detail-signature'],
            ['Evaluator input digest', b.evaluatorInputDigest, 'detail-digest'],
          ].map(([label, value, id]) => (
            <p key={label} style={{ margin: '8px 0' }}>
              <strong>{label}</strong>
              <br />
              <code style={{ wordBreak: 'break-all' }} data-testid={id}>
                {value}
              </code>
            </p>
          ))}
          <strong>What the appliance saw</strong>
          <pre style={{ overflow: 'auto', maxHeight: 200, background: 'var(--bg)', padding: 8 }}>
            {JSON.stringify(b.observed, null, 2)}
          </pre>
          <div className="row">
            <Button
              kind="primary"
              testId="download"
              onClick={() => downloadJson(`evidence-${b.applianceId}-${b.seq}.json`, record.signed)}
            >
              Download as JSON
            </Button>
            <Button onClick={onClose}>Close</Button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}

/** One appliance's bundles: filter, page with afterSeq, open one, download it, verify the chain. */
export function EvidenceBrowser({ applianceId, publicKey }: { applianceId: string; publicKey: string }) {
  const [cursors, setCursors] = useState<number[]>([0]);
  const afterSeq = cursors[cursors.length - 1] ?? 0;
  const [status, setStatus] = useState('all');
  const [text, setText] = useState('');
  const [open, setOpen] = useState<EvidenceRecord | null>(null);
  const page = useQuery({
    queryKey: ['evidence', applianceId, afterSeq],
    queryFn: () => fetchEvidencePage(applianceId, afterSeq, PAGE_SIZE),
  });
  const needle = text.trim().toLowerCase();
  return (
    <>
      <VerifyInBrowser
        applianceId={applianceId}
        publicKey={publicKey}
        shown={(page.data?.items ?? []).map((r) => ({ seq: r.seq, hash: r.signed.hash }))}
      />
      <h2>Bundles</h2>
      <div className="row">
        <Select
          label="Status"
          value={status}
          onChange={setStatus}
          testId="status-filter"
          options={[
            { value: 'all', label: 'All' },
            { value: 'pass', label: 'Passing' },
            { value: 'fail', label: 'Failing' },
            { value: 'error', label: 'Could not run' },
            { value: 'excepted', label: 'Excepted' },
          ]}
        />
        <Field
          label="Search checks"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="e.g. SSH"
        />
      </div>
      <Async query={page} what="evidence bundles">
        {(data) => {
          const rows = data.items.filter(
            (r) =>
              (status === 'all' || r.signed.bundle.status === status) &&
              (!needle ||
                r.signed.bundle.checkId.toLowerCase().includes(needle) ||
                checkTitle(r.signed.bundle.checkId).toLowerCase().includes(needle)),
          );
          return (
            <>
              <Table
                caption="Evidence bundles"
                testId="bundles"
                rows={rows}
                rowKey={(r) => String(r.seq)}
                onOpen={setOpen}
                empty={data.items.length === 0 ? 'No evidence on this page.' : 'No bundle matches the filter.'}
                columns={[
                  { header: 'Seq', cell: (r) => r.seq },
                  { header: 'Check', cell: (r) => checkTitle(r.signed.bundle.checkId) },
                  { header: 'Computer', cell: (r) => r.signed.bundle.hostname },
                  { header: 'Status', cell: (r) => <StatusBadge value={r.signed.bundle.status} /> },
                  { header: 'Time', cell: (r) => formatTime(r.signed.bundle.finishedAt) },
                ]}
              />
              <div className="row" style={{ marginTop: 8 }}>
                <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Previous page
                </Button>
                <Button
                  disabled={data.nextAfterSeq === null}
                  testId="next-page"
                  onClick={() => data.nextAfterSeq !== null && setCursors((c) => [...c, data.nextAfterSeq as number])}
                >
                  Next page
                </Button>
                <span className="hint">After seq {afterSeq}</span>
              </div>
            </>
          );
        }}
      </Async>
      <BundleDetail record={open} onClose={() => setOpen(null)} />
    </>
  );
}
