import {
  AppliancePage,
  HostHistoryPage,
  type HealingPolicy,
  HostPage,
  LatestResultList,
  OrderList,
  OrderRecord,
  Site,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, query } from '../../api';
import { Button, messageOf, Select, StatusBadge, Table, useToast } from '../../ui/kit';
import { SiteCompliance } from '../../ui/SiteCompliance';
import { SiteWorkstations } from '../../ui/SiteWorkstations';
import { Confirm, fmt, Load, useCan } from './common';

const ONLINE_MS = 3 * 60_000;
type Tier = HealingPolicy['tier'];
const TIERS: readonly { value: Tier; label: string }[] = [
  { value: 'monitor_only', label: 'Monitor only (never heal)' },
  { value: 'l1', label: 'L1: rules only' },
  { value: 'l1_l2', label: 'L1 + L2: rules and planner' },
  { value: 'full', label: 'Full: L1, L2 and L3 escalation' },
];
/** How many hosts' histories the results table reads for its reasons. */
const REASON_HOSTS = 20;

export function SiteDetail() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const toast = useToast();
  const canOperate = useCan('operator');
  const canAdmin = useCan('admin');
  const [tier, setTier] = useState<Tier>('l1');
  const [confirmTier, setConfirmTier] = useState(false);
  const site = useQuery({ queryKey: ['admin', 'site', id], queryFn: () => api(Site, 'GET', `/v1/sites/${id}`) });
  const appliances = useQuery({
    queryKey: ['admin', 'site', id, 'appliances'],
    queryFn: () => api(AppliancePage, 'GET', `/v1/sites/${id}/appliances?limit=200`),
  });
  const hosts = useQuery({
    queryKey: ['admin', 'site', id, 'hosts'],
    queryFn: () => api(HostPage, 'GET', `/v1/hosts${query({ siteId: id, limit: 200 })}`),
  });
  const results = useQuery({
    queryKey: ['admin', 'site', id, 'results'],
    queryFn: async () => {
      const latest = await api(LatestResultList, 'GET', `/v1/sites/${id}/results`);
      const hostIds = [...new Set(latest.items.map((r) => r.hostId))].slice(0, REASON_HOSTS);
      const reasons = new Map<string, string>();
      await Promise.all(
        hostIds.map(async (hostId) => {
          const history = await api(HostHistoryPage, 'GET', `/v1/hosts/${hostId}/history?limit=200`).catch(() => null);
          for (const entry of history?.items ?? []) {
            const key = `${hostId}/${entry.checkId}`;
            if (entry.reason && !reasons.has(key)) reasons.set(key, entry.reason);
          }
        }),
      );
      return latest.items.map((r) => ({ ...r, reason: reasons.get(`${r.hostId}/${r.checkId}`) ?? null }));
    },
  });
  const live = (appliances.data?.items ?? []).filter((a) => a.status !== 'revoked');
  const orders = useQuery({
    queryKey: ['admin', 'site', id, 'orders', live.map((a) => a.id).join(',')],
    enabled: appliances.data !== undefined,
    queryFn: async () => {
      const lists = await Promise.all(live.map((a) => api(OrderList, 'GET', `/v1/appliances/${a.id}/orders`)));
      return lists.flatMap((l) => l.items).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
    },
  });
  const order = useMutation({
    mutationFn: async (
      body: { type: 'set_healing_policy'; payload: HealingPolicy } | { type: 'run_checks_now'; payload: object },
    ) => {
      if (live.length === 0) throw new Error('This site has no appliance to send the order to.');
      return Promise.all(live.map((a) => api(OrderRecord, 'POST', `/v1/appliances/${a.id}/orders`, body)));
    },
    onSuccess: async (issued) => {
      setConfirmTier(false);
      toast(`Order ${issued[0]?.type ?? ''} sent to ${issued.length} appliance${issued.length === 1 ? '' : 's'}`);
      await client.invalidateQueries({ queryKey: ['admin', 'site', id, 'orders'] });
    },
    onError: (error) => toast(messageOf(error), 'error'),
  });

  return (
    <Load query={site} what="the site">
      {(s) => (
        <section aria-labelledby="site-title">
          <p>
            <Link to="/admin/sites">← Sites</Link>
          </p>
          <h1 id="site-title">{s.name}</h1>
          <p>
            <StatusBadge value={s.status} /> {s.address ?? ''} · {s.timezone}
          </p>

          <h2>Appliances</h2>
          <Load query={appliances} what="appliances">
            {(p) => (
              <Table
                caption="Appliances of this site"
                testId="appliances"
                rows={p.items}
                rowKey={(a) => a.id}
                empty="No appliance registered yet. Create a provision code to install one."
                columns={[
                  { header: 'Hostname', cell: (a) => a.hostname },
                  { header: 'Status', cell: (a) => <StatusBadge value={a.status} /> },
                  {
                    header: 'Online',
                    cell: (a) =>
                      a.lastCheckinAt && Date.now() - Date.parse(a.lastCheckinAt) <= ONLINE_MS ? (
                        <StatusBadge value="ok" />
                      ) : (
                        <span className="badge bad">offline</span>
                      ),
                  },
                  { header: 'Last check-in', cell: (a) => fmt(a.lastCheckinAt) },
                  { header: 'Version', cell: (a) => a.version },
                ]}
              />
            )}
          </Load>

          {canOperate ? (
            <section className="card" aria-label="Healing and checks">
              <h2 style={{ marginTop: 0 }}>Healing and checks</h2>
              <div className="row" style={{ alignItems: 'flex-end', flexWrap: 'wrap' }}>
                <Select
                  label="Healing tier"
                  value={tier}
                  onChange={(v) => setTier(v as Tier)}
                  options={TIERS}
                  testId="healing-tier"
                />
                <Button kind="primary" onClick={() => setConfirmTier(true)} disabled={live.length === 0}>
                  Set healing tier
                </Button>
                <Button
                  busy={order.isPending && order.variables?.type === 'run_checks_now'}
                  disabled={live.length === 0}
                  onClick={() => order.mutate({ type: 'run_checks_now', payload: {} })}
                >
                  Run checks now
                </Button>
              </div>
              {live.length === 0 ? <p className="hint">Orders need a registered appliance.</p> : null}
            </section>
          ) : null}
          <Confirm
            open={confirmTier}
            title="Change the healing tier"
            confirmLabel="Send order"
            busy={order.isPending}
            onClose={() => setConfirmTier(false)}
            onConfirm={() =>
              order.mutate({
                type: 'set_healing_policy',
                payload: {
                  tier,
                  dryRun: false,
                  maintenanceWindows: [],
                  rateLimits: { globalPerHour: 20, perHostPerHour: 4 },
                },
              })
            }
          >
            <p>
              Send a signed order to {live.length} appliance{live.length === 1 ? '' : 's'} of {s.name} to heal at tier{' '}
              <strong>{TIERS.find((t) => t.value === tier)?.label}</strong> (no maintenance windows, 20 runs an hour, 4
              per host)?
            </p>
          </Confirm>

          <h2>Orders</h2>
          <Load query={orders} what="orders">
            {(list) => (
              <Table
                caption="Orders sent to this site's appliances"
                testId="orders"
                rows={list}
                rowKey={(o) => o.id}
                empty="No orders yet."
                columns={[
                  { header: 'Type', cell: (o) => o.type },
                  {
                    header: 'Details',
                    cell: (o) =>
                      o.signed.order.type === 'set_healing_policy' ? `tier ${o.signed.order.payload.tier}` : '—',
                  },
                  { header: 'State', cell: (o) => <StatusBadge value={o.state} /> },
                  { header: 'Issued', cell: (o) => fmt(o.issuedAt) },
                ]}
              />
            )}
          </Load>

          <h2>Hosts</h2>
          <Load query={hosts} what="hosts">
            {(p) => (
              <Table
                caption="Hosts of this site"
                testId="hosts"
                rows={p.items}
                rowKey={(h) => h.id}
                empty="No hosts registered."
                columns={[
                  { header: 'Hostname', cell: (h) => h.hostname },
                  { header: 'Platform', cell: (h) => h.platform },
                  { header: 'Role', cell: (h) => h.role.replaceAll('_', ' ') },
                  { header: 'Status', cell: (h) => <StatusBadge value={h.status} /> },
                ]}
              />
            )}
          </Load>

          <h2>Latest results</h2>
          <Load query={results} what="results">
            {(rows) => (
              <Table
                caption="Latest result of each check on each host"
                testId="results"
                rows={rows}
                rowKey={(r) => `${r.hostId}/${r.checkId}`}
                empty="No results yet."
                columns={[
                  { header: 'Check', cell: (r) => r.checkId },
                  { header: 'Host', cell: (r) => r.hostname },
                  { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
                  { header: 'Reason', cell: (r) => r.reason ?? '—' },
                  { header: 'When', cell: (r) => fmt(r.finishedAt) },
                ]}
              />
            )}
          </Load>

          <SiteCompliance siteId={id} canEdit={canOperate} />
          <SiteWorkstations siteId={id} canSetTier={canAdmin} />
        </section>
      )}
    </Load>
  );
}
