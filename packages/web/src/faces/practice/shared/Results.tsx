import { checkById, type LatestResult } from '@osiris/protocol';
import { Empty, ErrorState, Loading, StatusBadge, Table } from '../../../ui/kit';
import { Donut } from '../../charts/Charts';
import { checkTitle, formatTime, scoreOf, useSiteResults } from './data';

export interface SiteRef {
  id: string;
  name: string;
}

/** What the per-site percentage means: not the compliance score (that is per framework, above). */
function ScoreFormula() {
  return (
    <p className="hint" data-testid="score-formula">
      Checks passing = passing checks ÷ (passing checks + failing checks), from the latest result of every check on
      every computer. Checks that could not run (errors) are not counted and are shown separately. The compliance score
      per framework above also counts stale results, exceptions and attestations.
    </p>
  );
}

function ScoreCard({ site, results }: { site: SiteRef; results: readonly LatestResult[] }) {
  const score = scoreOf(results);
  return (
    <section className="card kpi" data-testid={`score-${site.id}`} aria-label={`Score of ${site.name}`}>
      <div className="label">{site.name}</div>
      <div className="value" data-testid="score-value">
        {score.percent === null ? 'No results yet' : `${score.percent}%`}
      </div>
      <div className="label">
        {score.pass} passing · {score.fail} failing ·{' '}
        <span data-testid="score-errors">{score.error} could not run</span>
        {score.other ? ` · ${score.other} excepted` : ''}
      </div>
    </section>
  );
}

/** Failing checks explained in plain language: what, why it matters, how to fix. */
function OpenIssues({ results }: { results: readonly (LatestResult & { siteName: string })[] }) {
  const failing = results.filter((r) => r.status === 'fail');
  if (failing.length === 0) return <Empty>No open issues: every check that ran is passing.</Empty>;
  const byCheck = new Map<string, (LatestResult & { siteName: string })[]>();
  for (const r of failing) byCheck.set(r.checkId, [...(byCheck.get(r.checkId) ?? []), r]);
  return (
    <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 12 }} data-testid="issues">
      {[...byCheck.entries()].map(([checkId, rows]) => {
        const check = checkById(checkId);
        return (
          <li key={checkId} className="card" data-testid="issue">
            <div className="row">
              <strong>{checkTitle(checkId)}</strong>
              {check ? <StatusBadge value={check.severity} /> : null}
            </div>
            <p>
              <strong>Why it matters: </strong>
              {check?.description ?? 'This check is not described in this version of the catalog.'}
            </p>
            {check ? (
              <p>
                <strong>How to fix it: </strong>
                {check.remediation}
              </p>
            ) : null}
            <p className="hint">
              On {rows.map((r) => `${r.hostname} (${r.siteName})`).join(', ')}
              {check ? ` · HIPAA ${check.hipaa.join(', ')}` : ''}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

/** Passing vs failing vs could-not-run over every site, with the overall score in the middle. */
function ResultsDonut({ results }: { results: readonly LatestResult[] }) {
  const score = scoreOf(results);
  return (
    <Donut
      title="All latest results"
      testId="chart-results"
      center={score.percent === null ? undefined : `${score.percent}%`}
      slices={[
        { label: 'passing', value: score.pass, tone: 'ok' },
        { label: 'failing', value: score.fail, tone: 'bad' },
        { label: 'could not run', value: score.error, tone: 'warn' },
      ]}
    />
  );
}

/** Score per site, the formula, open issues and (optionally) a donut of all results and every latest result. */
export function SiteResults({
  sites,
  showTable = false,
  showChart = false,
}: {
  sites: readonly SiteRef[];
  showTable?: boolean;
  showChart?: boolean;
}) {
  const queries = useSiteResults(sites.map((s) => s.id));
  if (sites.length === 0) return <Empty>There are no sites yet.</Empty>;
  if (queries.some((q) => q.isLoading)) return <Loading what="the latest results" />;
  const failed = queries.find((q) => q.error);
  if (failed)
    return (
      <ErrorState
        error={failed.error}
        retry={() => {
          for (const q of queries) void q.refetch();
        }}
      />
    );
  const all = sites.flatMap((site, i) => (queries[i]?.data?.items ?? []).map((r) => ({ ...r, siteName: site.name })));
  return (
    <>
      <div className="grid">
        {sites.map((site, i) => (
          <ScoreCard key={site.id} site={site} results={queries[i]?.data?.items ?? []} />
        ))}
        {showChart ? <ResultsDonut results={all} /> : null}
      </div>
      <ScoreFormula />
      <h2>Open issues</h2>
      <OpenIssues results={all} />
      {showTable ? (
        <>
          <h2>All latest results</h2>
          <Table
            caption="Latest result of every check"
            testId="results"
            rows={all}
            rowKey={(r) => `${r.applianceId}-${r.hostId}-${r.checkId}`}
            empty="No results yet."
            columns={[
              { header: 'Site', cell: (r) => r.siteName },
              { header: 'Computer', cell: (r) => r.hostname },
              { header: 'Check', cell: (r) => checkTitle(r.checkId) },
              { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
              { header: 'When', cell: (r) => formatTime(r.finishedAt) },
            ]}
          />
        </>
      ) : null}
    </>
  );
}
