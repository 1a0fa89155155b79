import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, StatusBadge, Table } from '../../../ui/kit';
import { fmt, Load, useCan } from '../common';
import { usePartners } from '../Practices';
import { CreateRollout } from './CreateRollout';
import { useRollouts, useAllSites } from './fleet-api';
import { overall, ProgressBar, targetText } from './parts';

/** Rollouts of releases to the fleet: newest first, live ones refreshing by themselves. */
export function RolloutsPage() {
  const navigate = useNavigate();
  const rollouts = useRollouts();
  const partners = usePartners();
  const sites = useAllSites();
  const siteName = (sid: string) => sites.data?.items.find((x) => x.id === sid)?.name;
  const [creating, setCreating] = useState(false);
  const isAdmin = useCan('admin');
  const partnerName = (id: string) => partners.data?.items.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  return (
    <section aria-labelledby="rollouts-title">
      <div className="row">
        <h1 id="rollouts-title" style={{ marginBottom: 0 }}>
          Rollouts
        </h1>
        <span className="spacer" />
        <Link to="/admin/releases">Releases</Link>
        {creating || !isAdmin ? null : (
          <Button kind="primary" onClick={() => setCreating(true)} testId="rollout-new">
            New rollout
          </Button>
        )}
      </div>
      <p className="hint">
        A rollout installs a release on its target appliances stage by stage; it pauses by itself when too many fail.
      </p>
      {creating ? <CreateRollout onClose={() => setCreating(false)} /> : null}
      <Load query={rollouts} what="the rollouts">
        {(rows) => (
          <Table
            caption="Rollouts"
            testId="rollouts"
            rows={[...rows].sort((a, b) => b.createdAt.localeCompare(a.createdAt))}
            rowKey={(r) => r.id}
            empty="No rollout yet."
            onOpen={(r) => navigate(`/admin/rollouts/${r.id}`)}
            columns={[
              { header: 'Name', cell: (r) => <Link to={`/admin/rollouts/${r.id}`}>{r.name}</Link> },
              { header: 'Version', cell: (r) => r.version },
              { header: 'Target', cell: (r) => targetText(r.target, { partner: partnerName, site: siteName }) },
              { header: 'Status', cell: (r) => <StatusBadge value={r.status} /> },
              {
                header: 'Stage',
                cell: (r) =>
                  `${r.currentStage + 1} of ${r.stages.length} (${r.stages[r.currentStage]?.percent ?? '?'} %)`,
              },
              {
                header: 'Progress',
                cell: (r) => {
                  const { total, healthy } = overall(r);
                  return (
                    <div>
                      <ProgressBar value={healthy} max={total} label={`${r.name}: healthy appliances`} />
                      <span className="hint">
                        {healthy} of {total} healthy
                      </span>
                    </div>
                  );
                },
              },
              { header: 'Started', cell: (r) => fmt(r.createdAt) },
            ]}
          />
        )}
      </Load>
    </section>
  );
}
