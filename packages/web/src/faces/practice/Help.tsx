import { SCORE_FORMULA } from '@osiris/protocol';
import { Async, Empty } from '../../ui/kit';
import { useAppliances, useSites } from './shared/data';

/** Three bundles linked by hashes, each signed by the appliance key. */
function ChainDiagram() {
  const boxes = [1, 2, 3];
  return (
    <svg
      viewBox="0 0 640 230"
      role="img"
      aria-labelledby="chain-title chain-desc"
      style={{ width: '100%', maxWidth: 640, height: 'auto' }}
      data-testid="chain-diagram"
    >
      <title id="chain-title">The evidence chain</title>
      <desc id="chain-desc">
        Three evidence bundles in a row. Each bundle holds the hash of the one before it, and each is signed with the
        appliance's private key.
      </desc>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
        </marker>
      </defs>
      {boxes.map((n, i) => {
        const x = 20 + i * 210;
        return (
          <g key={n}>
            <rect x={x} y={20} width={180} height={120} rx={8} fill="#fff" stroke="var(--brand)" strokeWidth={2} />
            <text x={x + 12} y={44} fontWeight={700} fontSize={14}>
              Bundle {n}
            </text>
            <text x={x + 12} y={66} fontSize={12}>
              check, computer, result
            </text>
            <text x={x + 12} y={86} fontSize={12}>
              prev hash: {n === 1 ? '000…0' : `hash ${n - 1}`}
            </text>
            <text x={x + 12} y={106} fontSize={12}>
              hash {n} = SHA-256(bundle)
            </text>
            <text x={x + 12} y={126} fontSize={12} fill="var(--ok)">
              ✓ signature
            </text>
            {i > 0 ? (
              <line
                x1={x - 30}
                y1={80}
                x2={x - 2}
                y2={80}
                stroke="currentColor"
                strokeWidth={2}
                markerEnd="url(#arrow)"
              />
            ) : null}
            <line x1={x + 90} y1={190} x2={x + 90} y2={142} stroke="var(--ok)" strokeDasharray="4 3" />
          </g>
        );
      })}
      <rect x={170} y={180} width={300} height={36} rx={18} fill="#dcfce7" stroke="var(--ok)" />
      <text x={320} y={203} textAnchor="middle" fontSize={13}>
        Appliance key (Ed25519) signs every bundle
      </text>
    </svg>
  );
}

function AuditorLinks({ siteId, siteName }: { siteId: string; siteName: string }) {
  const appliances = useAppliances(siteId);
  const origin = window.location.origin;
  return (
    <li>
      {siteName}: results <code style={{ wordBreak: 'break-all' }}>{`${origin}/auditor?site=${siteId}`}</code>
      <Async query={appliances} what="appliances">
        {(data) => (
          <ul>
            {data.items.map((a) => (
              <li key={a.id}>
                evidence of {a.hostname}:{' '}
                <code style={{ wordBreak: 'break-all' }}>
                  {`${origin}/auditor/evidence?appliance=${a.id}&key=${a.publicKey}`}
                </code>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </li>
  );
}

export function HelpPage() {
  const sites = useSites();
  return (
    <>
      <h1>Help</h1>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>How your evidence is kept</h2>
        <p>
          The OsirisCare appliance at your site runs each check on each computer and writes the result as an{' '}
          <strong>evidence bundle</strong>. Every bundle carries the fingerprint (SHA-256 hash) of the bundle before it,
          so the bundles form a chain: changing, removing or re-ordering any one of them breaks every link after it.
          Each bundle is also signed with the appliance's own key, which never leaves the appliance, so nobody else —
          not even OsirisCare — can write a bundle that passes as the appliance's.
        </p>
        <ChainDiagram />
        <p>
          The Evidence page re-checks the whole chain in your browser: every hash, every signature and every link, using
          the appliance's public key.
        </p>
      </section>
      <section className="card" style={{ marginTop: 16 }}>
        <h2 style={{ marginTop: 0 }}>What to tell your auditor</h2>
        <ul>
          <li>
            Checks run automatically on a schedule and their results are recorded as they happen, with the time and the
            HIPAA Security Rule citations each check evidences.
          </li>
          <li>
            The records are tamper-evident: hash-chained and signed with an Ed25519 key held only by the appliance.
          </li>
          <li>
            The auditor can verify the chain independently: in their own browser from the auditor view, or by
            downloading bundles as JSON and checking them with any SHA-256 and Ed25519 tool (hash = SHA-256 of the RFC
            8785 canonical JSON of the bundle; signature over “osiriscare-evidence-v1:” followed by the hash).
          </li>
          <li data-testid="help-formula">
            The score of each framework: {SCORE_FORMULA} Checks that could not run are never counted as passing.
          </li>
          <li>Give the auditor access on the Team page; it ends by itself on the date you choose.</li>
        </ul>
        <h3>Links to give your auditor</h3>
        <p className="hint">
          Auditors do not see your list of sites and appliances; send them these links (the evidence link carries the
          appliance's public key, which they should compare with the one your IT partner gives them).
        </p>
        <Async query={sites} what="your sites">
          {(data) =>
            data.items.length === 0 ? (
              <Empty>There are no sites yet.</Empty>
            ) : (
              <ul data-testid="auditor-links">
                {data.items.map((s) => (
                  <AuditorLinks key={s.id} siteId={s.id} siteName={s.name} />
                ))}
              </ul>
            )
          }
        </Async>
      </section>
    </>
  );
}
