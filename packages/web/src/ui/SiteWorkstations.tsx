import { type AgentTier, HostPage, LatestResultList, SiteAgentTier, WorkstationList } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../api';
import { Async, Button, messageOf, Select, StatusBadge, Table, useToast } from './kit';

/** What each tier lets the site's workstation agents do by themselves. */
const TIER_TEXT: Record<AgentTier, { label: string; explains: string }> = {
  monitor_only: {
    label: 'Monitor only',
    explains: 'Agents check and report; they change nothing. People fix what fails.',
  },
  self_heal: {
    label: 'Self-heal',
    explains: 'Agents fix safe, reversible drift by themselves (for example turning the firewall back on).',
  },
  full_remediation: {
    label: 'Full remediation',
    explains: 'Agents also run the heavier fixes (for example enabling BitLocker or installing updates).',
  },
};
const TIERS = Object.keys(TIER_TEXT) as AgentTier[];

const when = (at: string | null) => (at ? new Date(at).toLocaleString() : 'never');

function TierChoice({ siteId, tier, canSetTier }: { siteId: string; tier: AgentTier; canSetTier: boolean }) {
  const toast = useToast();
  const client = useQueryClient();
  const [chosen, setChosen] = useState<AgentTier>(tier);
  const save = useMutation({
    mutationFn: (next: AgentTier) => api(SiteAgentTier, 'PUT', `/v1/sites/${siteId}/agent-tier`, { tier: next }),
    onSuccess: async (saved) => {
      toast(`Agent tier set to ${TIER_TEXT[saved.tier].label}; the site's appliances get it at their next check-in`);
      await client.invalidateQueries({ queryKey: ['site-workstations', siteId] });
    },
  });
  return (
    <>
      <p>
        Tier: <strong data-testid="agent-tier">{TIER_TEXT[tier].label}</strong> — {TIER_TEXT[tier].explains}
      </p>
      {canSetTier ? (
        <div className="row" style={{ flexWrap: 'wrap', alignItems: 'flex-end' }}>
          <Select
            label="Agent tier"
            value={chosen}
            onChange={(v) => setChosen(v as AgentTier)}
            testId="agent-tier-select"
            options={TIERS.map((value) => ({ value, label: TIER_TEXT[value].label }))}
          />
          <Button
            kind="primary"
            testId="agent-tier-save"
            busy={save.isPending}
            disabled={chosen === tier}
            onClick={() => save.mutate(chosen)}
          >
            Save tier
          </Button>
        </div>
      ) : null}
      {canSetTier ? (
        <ul className="hint" data-testid="agent-tier-help">
          {TIERS.map((value) => (
            <li key={value}>
              <strong>{TIER_TEXT[value].label}</strong>: {TIER_TEXT[value].explains}
            </li>
          ))}
        </ul>
      ) : null}
      {save.error ? (
        <p className="error" role="alert">
          {messageOf(save.error)}
        </p>
      ) : null}
    </>
  );
}

/** Windows servers and domain controllers of the site, each with its latest results. */
function WindowsServers({ siteId }: { siteId: string }) {
  const servers = useQuery({
    queryKey: ['site-workstations', siteId, 'windows-servers'],
    queryFn: async () => {
      const [hosts, latest] = await Promise.all([
        api(HostPage, 'GET', `/v1/hosts${query({ siteId, platform: 'windows', limit: 200 })}`),
        api(LatestResultList, 'GET', `/v1/sites/${siteId}/results`),
      ]);
      return hosts.items
        .filter((h) => h.role === 'server' || h.role === 'domain_controller')
        .map((h) => ({ host: h, results: latest.items.filter((r) => r.hostId === h.id) }));
    },
  });
  return (
    <Async query={servers} what="the Windows servers">
      {(rows) => (
        <Table
          caption="Windows servers of this site and their latest results"
          testId="windows-servers"
          rows={rows}
          rowKey={(r) => r.host.id}
          empty="No Windows server is registered at this site."
          columns={[
            { header: 'Hostname', cell: (r) => r.host.hostname },
            { header: 'Role', cell: (r) => r.host.role.replaceAll('_', ' ') },
            { header: 'Status', cell: (r) => <StatusBadge value={r.host.status} /> },
            {
              header: 'Latest results',
              cell: (r) =>
                r.results.length === 0
                  ? 'none yet'
                  : r.results.map((x) => (
                      <div key={x.checkId}>
                        {x.checkId}: <StatusBadge value={x.status} />
                      </div>
                    )),
            },
          ]}
        />
      )}
    </Async>
  );
}

/** The "Workstations" section of a site page: the agents' tier, the agents, and the Windows servers. */
export function SiteWorkstations({ siteId, canSetTier }: { siteId: string; canSetTier: boolean }) {
  const list = useQuery({
    queryKey: ['site-workstations', siteId],
    queryFn: () => api(WorkstationList, 'GET', `/v1/sites/${siteId}/workstations`),
  });
  return (
    <section className="card" aria-labelledby="site-workstations" data-testid="site-workstations">
      <h2 id="site-workstations" style={{ marginTop: 0 }}>
        Workstations
      </h2>
      <Async query={list} what="the workstations">
        {(data) => (
          <>
            <TierChoice key={data.tier} siteId={siteId} tier={data.tier} canSetTier={canSetTier} />
            <Table
              caption="Workstation agents of this site"
              testId="workstations"
              rows={data.items}
              rowKey={(w) => w.hostId}
              empty="No workstation agent has been reported by this site's appliances yet."
              columns={[
                { header: 'Hostname', cell: (w) => w.hostname },
                { header: 'OS', cell: (w) => `${w.os} ${w.osVersion}`.trim() },
                { header: 'Agent', cell: (w) => w.agentVersion },
                { header: 'Status', cell: (w) => <StatusBadge value={w.status} /> },
                { header: 'Last seen', cell: (w) => when(w.lastSeenAt) },
                {
                  header: 'Results (pass/fail/error)',
                  cell: (w) => `${w.results.pass} / ${w.results.fail} / ${w.results.error}`,
                },
                { header: 'Dropped results', cell: (w) => String(w.droppedResultsTotal) },
              ]}
            />
          </>
        )}
      </Async>
      <h3>Windows servers</h3>
      <WindowsServers siteId={siteId} />
    </section>
  );
}
