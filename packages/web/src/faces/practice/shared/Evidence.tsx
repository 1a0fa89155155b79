import {
  base64UrlToBytes,
  type EvidenceChainResult,
  type EvidenceRecord,
  type SignedEvidenceBundle,
  verifyChain,
} from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Async, Button, Dialog, Field, Select, StatusBadge, Table } from '../../../ui/kit';
import { checkTitle, fetchEvidencePage, formatTime } from './data';

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

/** Every stored bundle of the appliance, in chain order (pages of 500). */
async function loadWholeChain(applianceId: string): Promise<SignedEvidenceBundle[]> {
  const all: SignedEvidenceBundle[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const page = await fetchEvidencePage(applianceId, after, 500);
    all.push(...page.items.map((i) => i.signed));
    after = page.nextAfterSeq;
  }
  return all;
}

type Verification =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; result: EvidenceChainResult }
  | { state: 'error'; message: string };

/** Re-checks every hash, signature and link in this browser with the appliance's public key. */
function VerifyInBrowser({ applianceId, publicKey }: { applianceId: string; publicKey: string }) {
  const [v, setV] = useState<Verification>({ state: 'idle' });
  async function run() {
    setV({ state: 'running' });
    try {
      const key = base64UrlToBytes(publicKey);
      const chain = await loadWholeChain(applianceId);
      setV({ state: 'done', result: await verifyChain(chain, key) });
    } catch (error) {
      setV({ state: 'error', message: error instanceof Error ? error.message : 'Verification could not run' });
    }
  }
  return (
    <section className="card" aria-labelledby="verify-h">
      <h2 id="verify-h" style={{ marginTop: 0 }}>
        Verify in this browser
      </h2>
      <p className="hint">
        Your browser downloads every bundle of this appliance and re-computes each hash, checks each signature against
        the appliance key <code style={{ wordBreak: 'break-all' }}>{publicKey}</code> and checks that each bundle links
        to the one before. Nothing is taken on trust from the server.
      </p>
      <Button kind="primary" onClick={run} busy={v.state === 'running'} testId="verify">
        Verify in this browser
      </Button>
      <div aria-live="polite" data-testid="verify-result" style={{ marginTop: 12 }}>
        {v.state === 'running' ? 'Verifying…' : null}
        {v.state === 'error' ? <span className="form-error">{v.message}</span> : null}
        {v.state === 'done' && v.result.ok ? (
          <span>
            <StatusBadge value="pass" /> Verified: {v.result.count} bundles, unbroken from seq 1 to seq{' '}
            {v.result.headSeq}. Head hash <code style={{ wordBreak: 'break-all' }}>{v.result.headHash}</code>.
          </span>
        ) : null}
        {v.state === 'done' && !v.result.ok ? (
          <span role="alert">
            <StatusBadge value="fail" /> Not verified: the first bad bundle is{' '}
            {v.result.seq === null ? `number ${v.result.index + 1} in the list` : `seq ${v.result.seq}`} (
            {v.result.code}): {v.result.message}
          </span>
        ) : null}
      </div>
    </section>
  );
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
      <VerifyInBrowser applianceId={applianceId} publicKey={publicKey} />
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
