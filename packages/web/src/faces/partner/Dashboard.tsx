import { AppliancePage, EscalationPage, LatestResultList, PracticePage, SitePage } from '@osiris/protocol';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '../../api';
import { Async, Loading, StatusBadge, Table } from '../../ui/kit';
import { CategoryBars } from '../charts/Charts';
import { FleetCards } from '../charts/Fleet';
import { when } from './common';

/** An appliance counts as online when it is active and checked in within this window. */
const ONLINE_WINDOW_MS = 15 * 60_000;

export const usePractices = () =>
  useQuery({ queryKey: ['practices'], queryFn: () => api(PracticePage, 'GET', '/v1/practices?limit=200') });
export const useSites = () =>
  useQuery({ queryKey: ['sites'], queryFn: () => api(SitePage, 'GET', '/v1/sites?limit=200') });

const count = (page: { items: unknown[]; nextCursor: string | null } | undefined) =>
  page ? `${page.items.length}${page.nextCursor ? '+' : ''}` : '—';

function Kpi({ label, value, loading, testId }: { label: string; value: string; loading: boolean; testId: string }) {
  return (
    <div className="card kpi" data-testid={testId}>
      <div className="value" aria-busy={loading || undefined}>
        {loading ? '…' : value}
      </div>
      <div className="label">{label}</div>
    </div>
  );
}

export function Dashboard() {
  const navigate = useNavigate();
  const practices = usePractices();
  const sites = useSites();
  const escalations = useQuery({
    queryKey: ['escalations', 'open'],
    queryFn: () => api(EscalationPage, 'GET', '/v1/escalations?state=open&limit=200'),
  });
  const siteList = sites.data?.items ?? [];
  const appliances = useQueries({
    queries: siteList.map((s) => ({
      queryKey: ['site', s.id, 'appliances'],
      queryFn: () => api(AppliancePage, 'GET', `/v1/sites/${s.id}/appliances?limit=200`),
    })),
  });
  const results = useQueries({
    queries: siteList.map((s) => ({
      queryKey: ['site', s.id, 'results'],
      queryFn: () => api(LatestResultList, 'GET', `/v1/sites/${s.id}/results`),
    })),
  });
  const resultsLoading = sites.isLoading || results.some((q) => q.isLoading);
  const siteItems = results.map((q) => q.data?.items ?? []);
  const health = {
    healthy: siteItems.filter((items) => items.length > 0 && !items.some((r) => r.status === 'fail')).length,
    failing: siteItems.filter((items) => items.some((r) => r.status === 'fail')).length,
    noData: siteItems.filter((items) => items.length === 0).length,
  };
  const appliancesLoading = sites.isLoading || appliances.some((q) => q.isLoading);
  const now = Date.now();
  const all = appliances.flatMap((q) => q.data?.items ?? []);
  const online = all.filter(
    (a) => a.status === 'active' && a.lastCheckinAt && now - Date.parse(a.lastCheckinAt) < ONLINE_WINDOW_MS,
  ).length;
  const practiceName = new Map((practices.data?.items ?? []).map((p) => [p.id, p.name]));
  return (
    <>
      <h1>Dashboard</h1>
      <section className="grid" aria-label="Summary">
        <Kpi label="Practices" value={count(practices.data)} loading={practices.isLoading} testId="kpi-practices" />
        <Kpi label="Sites" value={count(sites.data)} loading={sites.isLoading} testId="kpi-sites" />
        <Kpi
          label="Appliances online"
          value={`${online} / ${all.length}`}
          loading={appliancesLoading}
          testId="kpi-appliances"
        />
        <Kpi
          label="Open escalations"
          value={count(escalations.data)}
          loading={escalations.isLoading}
          testId="kpi-escalations"
        />
      </section>
      <FleetCards scope="partner" />
      {resultsLoading ? (
        <Loading what="site health" />
      ) : siteList.length > 0 ? (
        <CategoryBars
          title="Sites by health"
          testId="chart-sites-health"
          slices={[
            { label: 'healthy', value: health.healthy, tone: 'ok' },
            { label: 'failing checks', value: health.failing, tone: 'bad' },
            { label: 'no data', value: health.noData, tone: 'ink-2' },
          ]}
        />
      ) : null}
      <section className="card">
        <h2>Sites</h2>
        <Async query={sites} what="sites">
          {(page) => (
            <Table
              caption="Sites"
              testId="dashboard-sites"
              rows={page.items}
              rowKey={(s) => s.id}
              onOpen={(s) => navigate(`/partner/sites/${s.id}`)}
              empty="No sites yet. Create a practice, then add its first site."
              columns={[
                { header: 'Site', cell: (s) => s.name },
                { header: 'Practice', cell: (s) => practiceName.get(s.practiceId) ?? '—' },
                { header: 'Status', cell: (s) => <StatusBadge value={s.status} /> },
                { header: 'Created', cell: (s) => when(s.createdAt) },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}
