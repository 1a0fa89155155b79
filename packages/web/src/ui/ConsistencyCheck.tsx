import type { LogKey, TreeHeadRecord } from '@osiris/protocol';
import { useState } from 'react';
import { Button, Select, StatusBadge } from './kit';
import { type ConsistencyOutcome, checkConsistency } from './proof-checks';
import { abbreviate, fetchConsistency } from './proofs-api';

type Check =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; older: TreeHeadRecord; outcome: ConsistencyOutcome }
  | { state: 'error'; message: string };

/**
 * Proves in this browser that the newest tree head extends an older one the person picks: the log
 * was only appended to in between (RFC 6962 consistency proof), both heads signed by the log key.
 */
export function ConsistencyCheck(props: { newest: TreeHeadRecord; candidates: TreeHeadRecord[]; logKey: LogKey }) {
  const { newest, logKey } = props;
  const older = props.candidates.filter((h) => h.treeSize < newest.treeSize);
  const [chosen, setChosen] = useState('');
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const picked = older.find((h) => String(h.treeSize) === chosen) ?? older[0];

  async function run() {
    if (!picked) return;
    setCheck({ state: 'running' });
    try {
      const answer = await fetchConsistency(picked.treeSize, newest.treeSize);
      setCheck({ state: 'done', older: picked, outcome: await checkConsistency(answer, picked, newest, logKey) });
    } catch (error) {
      setCheck({ state: 'error', message: error instanceof Error ? error.message : 'The check could not run' });
    }
  }

  return (
    <section className="card" aria-labelledby="consistency-h" style={{ marginTop: 16 }}>
      <h2 id="consistency-h" style={{ marginTop: 0 }}>
        Check that the log only grew
      </h2>
      <p className="hint">
        Pick an older tree head. Your browser fetches the consistency proof and checks that the newest head, of size{' '}
        {newest.treeSize.toLocaleString()} (root <code title={newest.rootHash}>{abbreviate(newest.rootHash)}</code>),
        contains the older tree unchanged.
      </p>
      {older.length === 0 ? (
        <p className="hint" data-testid="consistency-none">
          There is no older tree head on this page to compare with yet.
        </p>
      ) : (
        <div className="row" style={{ alignItems: 'flex-end' }}>
          <Select
            label="Older tree head"
            value={picked ? String(picked.treeSize) : ''}
            onChange={(value) => {
              setChosen(value);
              setCheck({ state: 'idle' });
            }}
            testId="consistency-older"
            options={older.map((h) => ({
              value: String(h.treeSize),
              label: `Size ${h.treeSize.toLocaleString()}, ${new Date(h.issuedAt).toLocaleString()}`,
            }))}
          />
          <div className="field">
            <Button kind="primary" onClick={run} busy={check.state === 'running'} testId="consistency-check">
              Check consistency
            </Button>
          </div>
        </div>
      )}
      <div aria-live="polite" data-testid="consistency-result">
        {check.state === 'running' ? 'Checking…' : null}
        {check.state === 'error' ? <span className="form-error">{check.message}</span> : null}
        {check.state === 'done' && check.outcome.ok ? (
          <span>
            <StatusBadge value="pass" /> Consistent: the tree head of size {newest.treeSize.toLocaleString()} extends
            the one of size {check.older.treeSize.toLocaleString()} without changing it, and both are signed by log key{' '}
            <code>{logKey.keyId}</code>.
          </span>
        ) : null}
        {check.state === 'done' && !check.outcome.ok ? (
          <span role="alert">
            <StatusBadge value="fail" /> Not consistent between sizes {check.older.treeSize.toLocaleString()} and{' '}
            {newest.treeSize.toLocaleString()}: {check.outcome.reason}.
          </span>
        ) : null}
      </div>
    </section>
  );
}
