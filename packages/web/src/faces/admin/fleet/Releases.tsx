import type { Release } from '@osiris/protocol';
import { useState } from 'react';
import { Link } from 'react-router';
import { Button, type Column, Dialog, StatusBadge, Table, useToast } from '../../../ui/kit';
import { Confirm, fmt, Load, useCan, useDialog } from '../common';
import { type ReleaseAction, useReleaseAction, useReleases } from './fleet-api';
import { formatBytes, ShortHash } from './parts';
import { ArtifactUpload, RegisterRelease, releaseProblem } from './RegisterRelease';

const ACTION_TEXT: Record<ReleaseAction, { title: string; confirm: string; explain: (r: Release) => string }> = {
  latest: {
    title: 'Mark as latest',
    confirm: 'Mark latest',
    explain: (r) => `${r.version} becomes the latest ${r.channel} release; the current latest loses the mark.`,
  },
  withdraw: {
    title: 'Withdraw the release',
    confirm: 'Withdraw',
    explain: (r) =>
      `No new rollout may use ${r.version}, and running rollouts of it are paused. Appliances that installed it keep it.`,
  },
};

/** Releases of the appliance: the signed versions central may roll out, their artifacts and channel. */
export function ReleasesPage() {
  const releases = useReleases();
  const toast = useToast();
  const [registering, setRegistering] = useState(false);
  const isAdmin = useCan('admin');
  const uploading = useDialog<Release>();
  const acting = useDialog<{ action: ReleaseAction; release: Release }>();
  const act = useReleaseAction();
  const target = acting.target;
  const actions: Column<Release> = {
    header: 'Actions',
    cell: (r) => (
      <div className="row" style={{ gap: 4 }}>
        {r.state === 'awaiting_artifact' ? (
          <Button onClick={() => uploading.open(r)} testId="release-upload">
            Upload artifact
          </Button>
        ) : null}
        {r.state === 'available' && !r.latest ? (
          <Button
            onClick={() => {
              act.reset();
              acting.open({ action: 'latest', release: r });
            }}
            testId="release-latest"
          >
            Mark latest
          </Button>
        ) : null}
        {r.state !== 'withdrawn' ? (
          <Button
            kind="danger"
            onClick={() => {
              act.reset();
              acting.open({ action: 'withdraw', release: r });
            }}
            testId="release-withdraw"
          >
            Withdraw
          </Button>
        ) : null}
      </div>
    ),
  };
  return (
    <section aria-labelledby="releases-title">
      <div className="row">
        <h1 id="releases-title" style={{ marginBottom: 0 }}>
          Releases
        </h1>
        <span className="spacer" />
        <Link to="/admin/rollouts">Rollouts</Link>
        {registering || !isAdmin ? null : (
          <Button kind="primary" onClick={() => setRegistering(true)} testId="release-new">
            Register a release
          </Button>
        )}
      </div>
      <p className="hint">
        Appliance versions signed offline with a release key. Central accepts only manifests whose signature verifies
        against its configured release keys, and only artifacts whose size and SHA-256 match the manifest.
      </p>
      {registering ? <RegisterRelease onClose={() => setRegistering(false)} /> : null}
      <Load query={releases} what="the releases">
        {(rows) => (
          <Table
            caption="Releases"
            testId="releases"
            rows={[...rows].sort((a, b) => b.createdAt.localeCompare(a.createdAt))}
            rowKey={(r) => r.id}
            empty="No release has been registered yet."
            columns={[
              {
                header: 'Version',
                cell: (r) => (
                  <span>
                    <strong>{r.version}</strong>{' '}
                    {r.latest ? (
                      <span className="badge latest" data-testid="latest-badge">
                        latest
                      </span>
                    ) : null}
                  </span>
                ),
              },
              { header: 'Channel', cell: (r) => r.channel },
              { header: 'State', cell: (r) => <StatusBadge value={r.state} /> },
              { header: 'Size', cell: (r) => formatBytes(r.sizeBytes) },
              { header: 'SHA-256', cell: (r) => <ShortHash sha256={r.sha256} /> },
              { header: 'Key', cell: (r) => <code>{r.keyId}</code> },
              { header: 'Built', cell: (r) => fmt(r.builtAt) },
              { header: 'Registered', cell: (r) => fmt(r.createdAt) },
              ...(isAdmin ? [actions] : []),
            ]}
          />
        )}
      </Load>
      <Dialog
        open={uploading.target !== null}
        title={`Artifact of ${uploading.target?.version ?? ''}`}
        onClose={uploading.close}
      >
        {uploading.target ? <ArtifactUpload release={uploading.target} onDone={uploading.close} /> : null}
        <div className="row" style={{ marginTop: 8 }}>
          <Button onClick={uploading.close}>Close</Button>
        </div>
      </Dialog>
      <Confirm
        open={target !== null}
        title={target ? `${ACTION_TEXT[target.action].title} ${target.release.version}` : ''}
        confirmLabel={target ? ACTION_TEXT[target.action].confirm : ''}
        kind={target?.action === 'withdraw' ? 'danger' : 'primary'}
        busy={act.isPending}
        error={act.error ? releaseProblem(act.error, target?.release.version) : null}
        onClose={acting.close}
        onConfirm={() =>
          target &&
          act.mutate(
            { action: target.action, version: target.release.version },
            {
              onSuccess: () => {
                toast(
                  target.action === 'latest'
                    ? `${target.release.version} is now the latest ${target.release.channel} release`
                    : `${target.release.version} withdrawn`,
                );
                acting.close();
              },
            },
          )
        }
      >
        <p>{target ? ACTION_TEXT[target.action].explain(target.release) : null}</p>
      </Confirm>
    </section>
  );
}
