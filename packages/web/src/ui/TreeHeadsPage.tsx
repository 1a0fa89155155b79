import type { LogKey, TreeHeadRecord } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatTime } from '../faces/practice/shared/data';
import { ConsistencyCheck } from './ConsistencyCheck';
import { Async, Button, StatusBadge, Table, useToast } from './kit';
import { isHeadSigned } from './proof-checks';
import { abbreviate, fetchTreeHeads, useLatestHead, useLogKey } from './proofs-api';

const PAGE_SIZE = 20;

function CopyButton({ value, what }: { value: string; what: string }) {
  const toast = useToast();
  return (
    <Button
      label={`Copy ${what}`}
      onClick={() =>
        navigator.clipboard.writeText(value).then(
          () => toast(`Copied the ${what}`),
          () => toast(`Could not copy: select the ${what} in its tooltip instead`, 'error'),
        )
      }
    >
      Copy
    </Button>
  );
}

function LogKeyCard({ logKey }: { logKey: LogKey }) {
  return (
    <section className="card" aria-labelledby="log-key-h" data-testid="log-key">
      <h2 id="log-key-h" style={{ marginTop: 0 }}>
        Log key
      </h2>
      <p className="hint">
        Central signs every tree head with this Ed25519 key. Compare the key id with the one printed in your monthly
        packet or given to you by your IT partner: every check on this page uses this key.
      </p>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 12px', margin: 0 }}>
        <dt>Key id</dt>
        <dd style={{ margin: 0 }}>
          <code data-testid="log-key-id">{logKey.keyId}</code>
        </dd>
        <dt>Public key</dt>
        <dd style={{ margin: 0, minWidth: 0 }}>
          <code style={{ wordBreak: 'break-all' }} data-testid="log-public-key">
            {logKey.publicKey}
          </code>
        </dd>
        <dt>Algorithm</dt>
        <dd style={{ margin: 0 }}>{logKey.algorithm}</dd>
      </dl>
    </section>
  );
}

function Timestamp({ head }: { head: TreeHeadRecord }) {
  if (head.tsaTime) return <span>{formatTime(head.tsaTime)}</span>;
  if (head.tsaError)
    return (
      <span>
        <StatusBadge value="warn" /> {head.tsaError}
      </span>
    );
  return <span className="hint">Not timestamped</span>;
}

/** One page of heads with each signature checked in this browser. */
function HeadsTable({ items, logKey }: { items: TreeHeadRecord[]; logKey: LogKey }) {
  const signatures = useQuery({
    queryKey: ['tree-heads', 'verified', logKey.publicKey, items.map((h) => `${h.treeSize}:${h.signature}`)],
    queryFn: () => Promise.all(items.map((h) => isHeadSigned(h, logKey))),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <Table
      caption="Signed tree heads, newest first"
      testId="tree-heads"
      rows={items}
      rowKey={(h) => String(h.treeSize)}
      empty="No tree head has been issued yet: the log signs its first one within minutes of the first evidence."
      columns={[
        { header: 'Size', cell: (h) => h.treeSize.toLocaleString() },
        {
          header: 'Signature',
          cell: (h) => {
            const index = items.indexOf(h);
            if (signatures.error) return <StatusBadge value="error" />;
            const ok = signatures.data?.[index];
            if (ok === undefined) return <span className="hint">Checking…</span>;
            return (
              <span data-testid="head-signature">
                <StatusBadge value={ok ? 'pass' : 'fail'} /> {ok ? 'verified' : 'NOT signed by the log key'}
              </span>
            );
          },
        },
        {
          header: 'Root hash',
          cell: (h) => (
            <span className="row" style={{ flexWrap: 'nowrap' }}>
              <code title={h.rootHash}>{abbreviate(h.rootHash)}</code>
              <CopyButton value={h.rootHash} what={`root hash of tree head ${h.treeSize}`} />
            </span>
          ),
        },
        { header: 'Issued', cell: (h) => formatTime(h.issuedAt) },
        { header: 'Timestamp', cell: (h) => <Timestamp head={h} /> },
      ]}
    />
  );
}

/**
 * The transparency log for every face: the log key, the signed tree heads (each signature checked
 * in this browser) and a consistency check between the newest head and an older one.
 */
export function TreeHeadsPage() {
  const logKey = useLogKey();
  const latest = useLatestHead();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useQuery({ queryKey: ['tree-heads', 'page', cursor], queryFn: () => fetchTreeHeads(cursor, PAGE_SIZE) });
  return (
    <>
      <h1>Transparency log</h1>
      <p className="hint">
        Every evidence bundle is a leaf of one append-only Merkle tree. Central regularly signs the tree's size and root
        hash (a tree head) and has it timestamped, so nobody, central included, can change or drop evidence later
        without it showing here.
      </p>
      <Async query={logKey} what="the log key">
        {(key) => (
          <>
            <LogKeyCard logKey={key} />
            <h2>Tree heads</h2>
            <Async query={page} what="the tree heads">
              {(data) => (
                <>
                  <HeadsTable items={data.items} logKey={key} />
                  <div className="row" style={{ marginTop: 8 }}>
                    <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                      Newer heads
                    </Button>
                    <Button
                      disabled={data.nextCursor === null}
                      testId="older-heads"
                      onClick={() => data.nextCursor && setCursors((c) => [...c, data.nextCursor])}
                    >
                      Older heads
                    </Button>
                  </div>
                  {latest.data ? <ConsistencyCheck newest={latest.data} candidates={data.items} logKey={key} /> : null}
                </>
              )}
            </Async>
          </>
        )}
      </Async>
    </>
  );
}
