import type { ApplianceUpdateState, Rollout } from '@osiris/protocol';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Button, messageOf, StatusBadge, Table, TextArea, useToast } from '../../../ui/kit';
import { Confirm, fmt, Load, Tabs, useCan } from '../common';
import { usePartners } from '../Practices';
import {
  isLive,
  type RolloutAction,
  useRollout,
  useRolloutAction,
  useRolloutAppliances,
  useAllSites,
} from './fleet-api';
import { formatDuration, overall, ProgressBar, STATE_LABEL, targetText, UPDATE_STATES, useNow } from './parts';

const ACTIONS: Record<
  RolloutAction,
  {
    label: string;
    done: string;
    kind: 'primary' | 'danger' | 'plain';
    explain: string;
    allowed: (r: Rollout) => boolean;
  }
> = {
  pause: {
    label: 'Pause',
    done: 'paused',
    kind: 'plain',
    explain: 'No new appliance gets the release until the rollout is resumed; installs under way finish.',
    allowed: (r) => r.status === 'active',
  },
  resume: {
    label: 'Resume',
    done: 'resumed',
    kind: 'primary',
    explain: 'The rollout continues from its current stage.',
    allowed: (r) => r.status === 'paused',
  },
  advance: {
    label: 'Advance',
    done: 'advanced to the next stage',
    kind: 'plain',
    explain: 'Opens the next stage now, without waiting for the current one to be healthy.',
    allowed: (r) => r.status === 'active' && r.currentStage < r.stages.length - 1,
  },
  cancel: {
    label: 'Cancel',
    done: 'cancelled',
    kind: 'danger',
    explain: 'Stops the rollout for good. Appliances that installed the release keep it.',
    allowed: (r) => isLive(r.status),
  },
};
const ACTION_ORDER: RolloutAction[] = ['pause', 'resume', 'advance', 'cancel'];

function StageCard({ rollout, stage, now }: { rollout: Rollout; stage: Rollout['progress'][number]; now: number }) {
  const index = stage.index;
  const healthy = stage.counts.healthy ?? 0;
  const isCurrent = index === rollout.currentStage && isLive(rollout.status);
  const opened = stage.openedAt !== null;
  const advanceAt =
    isCurrent && rollout.status === 'active' && stage.healthyMinutes !== null && stage.healthySince
      ? new Date(stage.healthySince).getTime() + stage.healthyMinutes * 60_000
      : null;
  return (
    <div className="card" data-testid="stage" aria-current={isCurrent ? 'step' : undefined}>
      <div className="row">
        <strong>
          Stage {index + 1} · {stage.percent} %
        </strong>
        <span className="spacer" />
        <span className="hint" data-testid="stage-status">
          {isCurrent ? 'current' : opened ? 'opened' : 'not opened'}
        </span>
      </div>
      <ProgressBar value={healthy} max={stage.appliances} label={`Stage ${index + 1}: healthy appliances`} />
      <p style={{ margin: '4px 0' }} data-testid="stage-summary">
        {healthy} of {stage.appliances} healthy
      </p>
      <div className="row" style={{ gap: 4 }} data-testid="stage-counts">
        {UPDATE_STATES.filter((s) => (stage.counts[s] ?? 0) > 0).map((s) => (
          <span key={s} className={`badge ${s}`}>
            {STATE_LABEL[s]}: {stage.counts[s]}
          </span>
        ))}
      </div>
      <dl className="hint" style={{ margin: '8px 0 0' }}>
        <div>Opened: {fmt(stage.openedAt)}</div>
        <div>Healthy since: {fmt(stage.healthySince)}</div>
        <div>
          Auto-advance:{' '}
          {stage.healthyMinutes === null ? (
            'manual'
          ) : advanceAt !== null ? (
            <span data-testid="stage-countdown">
              {advanceAt > now ? `in ${formatDuration(advanceAt - now)}` : 'due now'}
            </span>
          ) : (
            `after ${stage.healthyMinutes} min healthy`
          )}
        </div>
      </dl>
    </div>
  );
}

function Controls({ rollout }: { rollout: Rollout }) {
  const toast = useToast();
  const act = useRolloutAction(rollout.id);
  const [confirming, setConfirming] = useState<RolloutAction | null>(null);
  const [reason, setReason] = useState('');
  return (
    <>
      <div className="row" data-testid="rollout-controls">
        {ACTION_ORDER.map((action) => (
          <Button
            key={action}
            kind={ACTIONS[action].kind}
            disabled={!ACTIONS[action].allowed(rollout)}
            testId={`rollout-${action}`}
            onClick={() => {
              act.reset();
              setReason('');
              setConfirming(action);
            }}
          >
            {ACTIONS[action].label}
          </Button>
        ))}
      </div>
      <Confirm
        open={confirming !== null}
        title={confirming ? `${ACTIONS[confirming].label} the rollout` : ''}
        confirmLabel={confirming ? ACTIONS[confirming].label : ''}
        kind={confirming === 'cancel' ? 'danger' : 'primary'}
        busy={act.isPending}
        error={act.error ? messageOf(act.error) : null}
        onClose={() => setConfirming(null)}
        onConfirm={() =>
          confirming &&
          act.mutate(
            { action: confirming, ...(confirming === 'pause' && reason.trim() ? { reason: reason.trim() } : {}) },
            {
              onSuccess: () => {
                toast(`Rollout ${ACTIONS[confirming].done}`);
                setConfirming(null);
              },
            },
          )
        }
      >
        <p>{confirming ? ACTIONS[confirming].explain : null}</p>
        {confirming === 'pause' ? (
          <TextArea label="Reason (optional)" value={reason} onChange={setReason} testId="pause-reason" />
        ) : null}
      </Confirm>
    </>
  );
}

type Filter = ApplianceUpdateState | 'all';

function ApplianceTable({ rollout }: { rollout: Rollout }) {
  const appliances = useRolloutAppliances(rollout.id, isLive(rollout.status));
  const [filter, setFilter] = useState<Filter>('all');
  return (
    <Load query={appliances} what="the appliances">
      {(rows) => {
        const count = (s: ApplianceUpdateState) => rows.filter((r) => r.state === s).length;
        return (
          <>
            <Tabs
              label="Appliances by state"
              value={filter}
              onChange={setFilter}
              options={[
                { value: 'all', label: `All (${rows.length})` },
                ...UPDATE_STATES.map((s) => ({ value: s, label: `${STATE_LABEL[s]} (${count(s)})` })),
              ]}
            />
            <Table
              caption="Appliances of the rollout"
              testId="rollout-appliances"
              rows={rows.filter((r) => filter === 'all' || r.state === filter)}
              rowKey={(r) => r.applianceId}
              empty={filter === 'all' ? 'The rollout targets no appliance.' : 'No appliance in this state.'}
              columns={[
                { header: 'Hostname', cell: (r) => r.hostname },
                { header: 'Site', cell: (r) => <Link to={`/admin/sites/${r.siteId}`}>{r.siteName}</Link> },
                { header: 'Stage', cell: (r) => String(r.stage + 1) },
                { header: 'State', cell: (r) => <StatusBadge value={r.state} /> },
                { header: 'From', cell: (r) => r.fromVersion ?? '—' },
                {
                  header: 'Error',
                  cell: (r) =>
                    r.errorCode || r.message ? (
                      <span>
                        {r.errorCode ? <code>{r.errorCode}</code> : null} {r.message ?? ''}
                      </span>
                    ) : (
                      '—'
                    ),
                },
                { header: 'Updated', cell: (r) => fmt(r.updatedAt) },
              ]}
            />
          </>
        );
      }}
    </Load>
  );
}

/** One rollout: its stages' progress, its controls and every appliance's state; live while it runs. */
export function RolloutDetail() {
  const { id = '' } = useParams();
  const rollout = useRollout(id);
  const isAdmin = useCan('admin');
  const partners = usePartners();
  const sites = useAllSites();
  const siteName = (sid: string) => sites.data?.items.find((x) => x.id === sid)?.name;
  const live = rollout.data ? isLive(rollout.data.status) : false;
  const now = useNow(live);
  const partnerName = (pid: string) => partners.data?.items.find((p) => p.id === pid)?.name ?? pid.slice(0, 8);
  return (
    <Load query={rollout} what="the rollout">
      {(r) => {
        const { total, healthy } = overall(r);
        return (
          <section aria-labelledby="rollout-title">
            <p>
              <Link to="/admin/rollouts">← Rollouts</Link>
            </p>
            <div className="row">
              <h1 id="rollout-title" style={{ marginBottom: 0 }}>
                {r.name}
              </h1>
              <span data-testid="rollout-status">
                <StatusBadge value={r.status} />
              </span>
            </div>
            <p className="hint">
              Release {r.version} · {targetText(r.target, { partner: partnerName, site: siteName })} · stage{' '}
              {r.currentStage + 1} of {r.stages.length} · pauses at {r.failureThresholdPercent} % failures · started{' '}
              {fmt(r.createdAt)}
              {r.completedAt ? ` · finished ${fmt(r.completedAt)}` : ''}
              {live ? ' · refreshing every 5 s' : ''}
            </p>
            {r.status === 'paused' ? (
              <div className="banner warn" role="status" data-testid="pause-banner">
                <strong>Paused.</strong> {r.pauseReason ?? 'No reason was given.'}
              </div>
            ) : null}
            {isAdmin ? <Controls rollout={r} /> : null}
            <h2>Progress</h2>
            <ProgressBar value={healthy} max={total} label="All stages: healthy appliances" testId="rollout-progress" />
            <p className="hint">
              {healthy} of {total} target appliances healthy
            </p>
            <div className="grid" data-testid="stages">
              {r.progress.map((stage) => (
                <StageCard key={stage.index} rollout={r} stage={stage} now={now} />
              ))}
            </div>
            <h2>Appliances</h2>
            <ApplianceTable rollout={r} />
          </section>
        );
      }}
    </Load>
  );
}
