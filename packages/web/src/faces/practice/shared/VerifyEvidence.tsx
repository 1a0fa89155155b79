import {
  base64UrlToBytes,
  type EvidenceChainResult,
  LogKey,
  type SignedEvidenceBundle,
  type TreeHeadRecord,
  verifyChain,
} from '@osiris/protocol';
import { useState } from 'react';
import { Button, StatusBadge } from '../../../ui/kit';
import { api } from '../../../api';
import { checkInclusion, eachLimited, type InclusionOutcome, isHeadSigned } from '../../../ui/proof-checks';
import { abbreviate, fetchLatestHead } from '../../../ui/proofs-api';
import { fetchEvidencePage } from './data';

/** Proofs fetched at once: a page holds at most 25 bundles. */
const INCLUSION_LANES = 4;

/** Every stored bundle of the appliance, in chain order (pages of 500). */
async function loadWholeChain(applianceId: string, onCount: (n: number) => void): Promise<SignedEvidenceBundle[]> {
  const all: SignedEvidenceBundle[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const page = await fetchEvidencePage(applianceId, after, 500);
    all.push(...page.items.map((i) => i.signed));
    onCount(all.length);
    after = page.nextAfterSeq;
  }
  return all;
}

type Step<T> =
  | { state: 'waiting' }
  | { state: 'running' }
  | { state: 'done'; value: T }
  | { state: 'error'; message: string };
interface HeadCheck {
  key: LogKey;
  head: TreeHeadRecord | null;
  isSigned: boolean;
}
interface Run {
  chain: Step<EvidenceChainResult>;
  head: Step<HeadCheck>;
  inclusion: Step<InclusionOutcome[]>;
  progress: { label: string; done: number; total: number } | null;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : 'the check could not run');
const seqList = (items: readonly { seq: number }[]) => items.map((i) => i.seq).join(', ');

function ChainLine({ step }: { step: Run['chain'] }) {
  if (step.state === 'waiting' || step.state === 'running') return <span>Checking the chain…</span>;
  if (step.state === 'error') return <span className="form-error">Chain: {step.message}</span>;
  const result = step.value;
  if (result.ok)
    return (
      <span>
        <StatusBadge value="pass" /> Verified: {result.count} bundles, unbroken from seq 1 to seq {result.headSeq}. Head
        hash <code style={{ wordBreak: 'break-all' }}>{result.headHash}</code>.
      </span>
    );
  return (
    <span role="alert">
      <StatusBadge value="fail" /> Not verified: the first bad bundle is{' '}
      {result.seq === null ? `number ${result.index + 1} in the list` : `seq ${result.seq}`} ({result.code}):{' '}
      {result.message}
    </span>
  );
}

function HeadLine({ step }: { step: Run['head'] }) {
  if (step.state === 'waiting') return <span className="hint">Tree head signature: waiting.</span>;
  if (step.state === 'running') return <span>Checking the newest tree head…</span>;
  if (step.state === 'error') return <span className="form-error">Tree head: {step.message}</span>;
  const { key, head, isSigned } = step.value;
  if (!head)
    return (
      <span>
        <StatusBadge value="pending" /> No signed tree head yet: the log signs its first one within minutes.
      </span>
    );
  return isSigned ? (
    <span>
      <StatusBadge value="pass" /> Tree head signature verified: size {head.treeSize}, root{' '}
      <code title={head.rootHash}>{abbreviate(head.rootHash)}</code>, signed by log key <code>{key.keyId}</code>.
    </span>
  ) : (
    <span role="alert">
      <StatusBadge value="fail" /> The newest tree head (size {head.treeSize}) is not signed by log key{' '}
      <code>{key.keyId}</code>.
    </span>
  );
}

function InclusionLine({ step, head }: { step: Run['inclusion']; head: Run['head'] }) {
  if (step.state === 'waiting') return <span className="hint">Inclusion proofs: waiting.</span>;
  if (step.state === 'running') return <span>Checking inclusion proofs…</span>;
  if (step.state === 'error') return <span className="form-error">Inclusion proofs: {step.message}</span>;
  const all = step.value;
  const verified = all.filter((o) => o.state === 'verified');
  const pending = all.filter((o) => o.state === 'pending');
  const failed = all.filter((o): o is Extract<InclusionOutcome, { state: 'failed' }> => o.state === 'failed');
  const size = head.state === 'done' ? head.value.head?.treeSize : undefined;
  const checked = all.length - pending.length;
  return (
    <span>
      {all.length === 0 ? <span>No bundle on this page to check.</span> : null}
      {checked > 0 && failed.length === 0 ? (
        <span>
          <StatusBadge value="pass" /> {verified.length} of {checked} inclusion proofs verified in the signed tree head
          of size {size}.
        </span>
      ) : null}
      {failed.length > 0 ? (
        <span role="alert">
          <StatusBadge value="fail" /> {failed.length} of {checked} inclusion proofs failed:{' '}
          {failed.map((f) => `seq ${f.seq} (${f.reason})`).join('; ')}.
        </span>
      ) : null}
      {pending.length > 0 ? (
        <span>
          {' '}
          <StatusBadge value="pending" /> {pending.length} not yet in a signed tree head (seq {seqList(pending)}): the
          log includes new evidence in the next head, within minutes.
        </span>
      ) : null}
    </span>
  );
}

type Update = (patch: Partial<Run>) => void;

/** Step 1: the whole chain; on success `hashes` of the shown bundles become the verified ones. */
async function chainStep(applianceId: string, publicKey: string, hashes: Map<number, string>, update: Update) {
  try {
    const chain = await loadWholeChain(applianceId, (n) =>
      update({ progress: { label: `Downloading the bundles (${n})`, done: 0, total: 1 } }),
    );
    update({ progress: { label: `Checking ${chain.length} hashes, signatures and links`, done: 0, total: 1 } });
    const result = await verifyChain(chain, base64UrlToBytes(publicKey));
    // Proofs are checked against the hashes this browser just verified, not the page's copy.
    if (result.ok) for (const b of chain) if (hashes.has(b.bundle.seq)) hashes.set(b.bundle.seq, b.hash);
    update({ chain: { state: 'done', value: result } });
  } catch (error) {
    update({ chain: { state: 'error', message: messageOf(error) } });
  }
}

/** Step 2: the log key and the newest tree head, its signature checked here. */
async function headStep(update: Update): Promise<HeadCheck | null> {
  update({ head: { state: 'running' }, progress: { label: 'Checking the newest tree head', done: 0, total: 1 } });
  try {
    const [key, head] = await Promise.all([api(LogKey, 'GET', '/v1/transparency/log-key'), fetchLatestHead()]);
    const check = { key, head, isSigned: head ? await isHeadSigned(head, key) : false };
    update({ head: { state: 'done', value: check } });
    return check;
  } catch (error) {
    update({ head: { state: 'error', message: messageOf(error) } });
    return null;
  }
}

/** Step 3: each shown bundle's inclusion proof in that head (none is checked against an unsigned head). */
async function inclusionStep(
  applianceId: string,
  check: HeadCheck | null,
  bundles: { seq: number; hash: string }[],
  update: Update,
) {
  const head = check?.head;
  if (!check || !head || !check.isSigned) {
    update({
      inclusion: head
        ? { state: 'error', message: 'not checked, since the tree head is not signed by the log key' }
        : check
          ? { state: 'done', value: bundles.map((b) => ({ seq: b.seq, state: 'pending' as const })) }
          : { state: 'error', message: 'not checked, since the tree head could not be read' },
      progress: null,
    });
    return;
  }
  const total = bundles.length;
  update({ inclusion: { state: 'running' }, progress: { label: 'Checking inclusion proofs', done: 0, total } });
  try {
    const outcomes = await eachLimited(
      bundles,
      INCLUSION_LANES,
      (b) => checkInclusion(applianceId, b, head),
      (done) => update({ progress: { label: `Checking inclusion proofs (${done} of ${total})`, done, total } }),
    );
    update({ inclusion: { state: 'done', value: outcomes }, progress: null });
  } catch (error) {
    update({ inclusion: { state: 'error', message: messageOf(error) }, progress: null });
  }
}

/**
 * Re-checks in this browser, trusting nothing the server says: every hash, signature and link of
 * the appliance's chain; the newest tree head's signature under the log key; and the inclusion
 * proof of each bundle shown on the page in that head.
 */
export function VerifyInBrowser(props: {
  applianceId: string;
  publicKey: string;
  shown: readonly { seq: number; hash: string }[];
}) {
  const { applianceId, publicKey } = props;
  const [run, setRun] = useState<Run | null>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    setBusy(true);
    let state: Run = {
      chain: { state: 'running' },
      head: { state: 'waiting' },
      inclusion: { state: 'waiting' },
      progress: { label: 'Downloading the bundles', done: 0, total: 1 },
    };
    const update: Update = (patch) => {
      state = { ...state, ...patch };
      setRun(state);
    };
    update({});
    try {
      const hashes = new Map(props.shown.map((b) => [b.seq, b.hash]));
      await chainStep(applianceId, publicKey, hashes, update);
      const check = await headStep(update);
      await inclusionStep(
        applianceId,
        check,
        [...hashes].map(([seq, hash]) => ({ seq, hash })),
        update,
      );
    } finally {
      setBusy(false);
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
        to the one before. It then checks the transparency log's newest signed tree head against the log key, and that
        each bundle on this page is in that tree. Nothing is taken on trust from the server.
      </p>
      <Button kind="primary" onClick={start} busy={busy} testId="verify">
        Verify in this browser
      </Button>
      {run?.progress ? (
        <div style={{ marginTop: 12 }}>
          <label htmlFor="verify-progress" className="hint">
            {run.progress.label}
          </label>
          <br />
          <progress
            id="verify-progress"
            max={Math.max(1, run.progress.total)}
            value={run.progress.done}
            style={{ width: '100%', maxWidth: 320 }}
          />
        </div>
      ) : null}
      <div aria-live="polite" data-testid="verify-result" style={{ marginTop: 12 }}>
        {run ? (
          <ul style={{ margin: 0, paddingLeft: 18, display: 'grid', gap: 6 }}>
            <li data-testid="verify-chain">
              <ChainLine step={run.chain} />
            </li>
            <li data-testid="verify-head">
              <HeadLine step={run.head} />
            </li>
            <li data-testid="verify-inclusion">
              <InclusionLine step={run.inclusion} head={run.head} />
            </li>
          </ul>
        ) : null}
      </div>
    </section>
  );
}
