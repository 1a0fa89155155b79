import {
  AppliancePage,
  EscalationPage,
  LatestResultList,
  LearningCandidateList,
  PartnerPage,
  PracticePage,
  type Site,
  SitePage,
} from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api';
import { StackedBars } from '../charts/Charts';
import { FleetCards } from '../charts/Fleet';
import { Loading, StatusBadge, Table } from '../../ui/kit';
import { fmt, Load } from './common';

/** How many sites the overview asks for results and appliances (one request each). */
const SITE_CAP = 50;
const ONLINE_MS = 3 * 60_000;

interface SiteHealth {
  site: Site;
  pass: number;
  fail: number;
  other: number;
  appliances: number;
  online: number;
}

function Kpi({ label, value, testId }: { label: string; value: number | string; testId: string }) {
  return (
    <div className="card kpi" data-testid={testId}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </div>
  );
}

/** Counts from a page of up to 200; "200+" when there are more. */
const count = (p: { items: unknown[]; nextCursor: string | null }) =>
  p.nextCursor ? `${p.items.length}+` : p.items.length;

export function OverviewPage() {
  const navigate = useNavigate();
  const counts = useQuery({
    queryKey: ['admin', 'overview', 'counts'],
    queryFn: async () => {
      const [partners, practices, sites, open, candidates] = await Promise.all([
        api(PartnerPage, 'GET', '/v1/partners?limit=200'),
        api(PracticePage, 'GET', '/v1/practices?limit=200'),
        api(SitePage, 'GET', '/v1/sites?limit=200'),
        api(EscalationPage, 'GET', '/v1/escalations?state=open&limit=200'),
        api(LearningCandidateList, 'GET', '/v1/learning/candidates?status=candidate'),
      ]);
      return { partners, practices, sites, open, candidates };
    },
  });
  const health = useQuery({
    queryKey: ['admin', 'overview', 'health'],
    enabled: counts.data !== undefined,
    queryFn: async (): Promise<SiteHealth[]> => {
      const sites = counts.data?.sites.items.slice(0, SITE_CAP) ?? [];
      const now = Date.now();
      return Promise.all(
        sites.map(async (site) => {
          const [results, appliances] = await Promise.all([
            api(LatestResultList, 'GET', `/v1/sites/${site.id}/results`),
            api(AppliancePage, 'GET', `/v1/sites/${site.id}/appliances?limit=200`),
          ]);
          const pass = results.items.filter((r) => r.status === 'pass').length;
          const fail = results.items.filter((r) => r.status === 'fail').length;
          const live = appliances.items.filter((a) => a.status !== 'revoked');
          return {
            site,
            pass,
            fail,
            other: results.items.length - pass - fail,
            appliances: live.length,
            online: live.filter((a) => a.lastCheckinAt && now - Date.parse(a.lastCheckinAt) <= ONLINE_MS).length,
          };
        }),
      );
    },
  });
  const recent = useQuery({
    queryKey: ['admin', 'escalations', 'recent'],
    queryFn: () => api(EscalationPage, 'GET', '/v1/escalations?limit=5'),
  });

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Fleet overview</h1>
      <Load query={counts} what="the fleet">
        {(c) => {
          const sitesTotal = c.sites.items.length;
          const capped = sitesTotal > SITE_CAP || c.sites.nextCursor !== null;
          const h = health.data;
          return (
            <>
              <div
                className="grid"
                data-testid="kpis"
                style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))' }}
              >
                <Kpi label="Partners" value={count(c.partners)} testId="kpi-partners" />
                <Kpi label="Practices" value={count(c.practices)} testId="kpi-practices" />
                <Kpi label="Sites" value={count(c.sites)} testId="kpi-sites" />
                <Kpi
                  label={capped ? `Appliances online (first ${SITE_CAP} sites)` : 'Appliances online'}
                  value={
                    h ? `${h.reduce((n, s) => n + s.online, 0)} / ${h.reduce((n, s) => n + s.appliances, 0)}` : '…'
                  }
                  testId="kpi-online"
                />
                <Kpi label="Open escalations" value={count(c.open)} testId="kpi-escalations" />
                <Kpi label="Learning candidates" value={c.candidates.items.length} testId="kpi-candidates" />
              </div>
              <FleetCards scope="admin" />
              <h2>Sites by health</h2>
              <p className="hint" data-testid="site-cap">
                {capped
                  ? `Showing the first ${SITE_CAP} sites only.`
                  : `All ${sitesTotal} site${sitesTotal === 1 ? '' : 's'} (at most ${SITE_CAP} are checked).`}
              </p>
              {health.isLoading ? (
                <Loading what="site health" />
              ) : (
                <Load query={health} what="site health">
                  {(rows) => (
                    <>
                      {rows.length > 0 ? (
                        <StackedBars
                          title="Latest results per site"
                          testId="chart-site-health"
                          summary={`${rows.length} site${rows.length === 1 ? '' : 's'}: ${rows.reduce((n, r) => n + r.pass, 0)} passing, ${rows.reduce((n, r) => n + r.fail, 0)} failing, ${rows.reduce((n, r) => n + r.other, 0)} other results in total; per site in the table below`}
                          rows={[...rows].sort((a, b) => b.fail - a.fail).map((r) => ({ ...r, name: r.site.name }))}
                          series={[
                            { key: 'pass', label: 'Passing', tone: 'ok' },
                            { key: 'fail', label: 'Failing', tone: 'bad' },
                            { key: 'other', label: 'Other', tone: 'ink-2' },
                          ]}
                          value={(r, key) => (key === 'pass' ? r.pass : key === 'fail' ? r.fail : r.other)}
                        />
                      ) : null}
                      <Table
                        caption="Sites by health, most failing checks first"
                        testId="site-health"
                        rows={[...rows].sort((a, b) => b.fail - a.fail)}
                        rowKey={(r) => r.site.id}
                        empty="No sites yet."
                        onOpen={(r) => navigate(`/admin/sites/${r.site.id}`)}
                        columns={[
                          { header: 'Site', cell: (r) => <Link to={`/admin/sites/${r.site.id}`}>{r.site.name}</Link> },
                          { header: 'Passing', cell: (r) => r.pass },
                          {
                            header: 'Failing',
                            cell: (r) => (r.fail ? <span className="badge fail">{r.fail}</span> : 0),
                          },
                          { header: 'Other', cell: (r) => r.other },
                          { header: 'Appliances online', cell: (r) => `${r.online} / ${r.appliances}` },
                        ]}
                      />
                    </>
                  )}
                </Load>
              )}
            </>
          );
        }}
      </Load>
      <h2>Recent escalations</h2>
      <Load query={recent} what="recent escalations">
        {(p) => (
          <Table
            caption="Most recent escalations"
            testId="recent-escalations"
            rows={p.items}
            rowKey={(e) => e.id}
            empty="No escalations."
            onOpen={(e) => navigate(`/admin/escalations/${e.id}`)}
            columns={[
              { header: 'Summary', cell: (e) => <Link to={`/admin/escalations/${e.id}`}>{e.summary}</Link> },
              { header: 'Priority', cell: (e) => <StatusBadge value={e.priority} /> },
              { header: 'State', cell: (e) => <StatusBadge value={e.state} /> },
              { header: 'Received', cell: (e) => fmt(e.receivedAt) },
            ]}
          />
        )}
      </Load>
    </section>
  );
}
