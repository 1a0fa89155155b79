import type { ApplianceUpdateState, Rollout, RolloutTarget } from '@osiris/protocol';
import { useEffect, useState } from 'react';
import { useToast } from '../../../ui/kit';

/** A labelled progress bar (the native element: screen readers announce the value). */
export function ProgressBar(props: { value: number; max: number; label: string; testId?: string }) {
  const max = Math.max(props.max, 1);
  const value = Math.min(Math.max(props.value, 0), max);
  return (
    <div className="progress-line">
      <progress className="progress" value={value} max={max} aria-label={props.label} data-testid={props.testId} />
      <span className="hint">{Math.round((value / max) * 100)} %</span>
    </div>
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The first 12 hex characters of a SHA-256, with a button copying the whole hash. */
export function ShortHash({ sha256 }: { sha256: string }) {
  const toast = useToast();
  return (
    <span className="row" style={{ gap: 4, flexWrap: 'nowrap' }}>
      <code title={sha256}>{sha256.slice(0, 12)}…</code>
      <button
        type="button"
        className="btn small"
        aria-label={`Copy SHA-256 ${sha256}`}
        onClick={(e) => {
          e.stopPropagation();
          navigator.clipboard
            ?.writeText(sha256)
            .then(() => toast('SHA-256 copied'))
            .catch(() => toast('The browser refused to copy; select the hash instead', 'error'));
        }}
      >
        Copy
      </button>
    </span>
  );
}

export const STATE_LABEL: Record<ApplianceUpdateState, string> = {
  pending: 'Pending',
  downloading: 'Downloading',
  installed: 'Installed',
  healthy: 'Healthy',
  failed: 'Failed',
  rolled_back: 'Rolled back',
};
export const UPDATE_STATES = Object.keys(STATE_LABEL) as ApplianceUpdateState[];

/** Appliances of all opened stages, and how many of them are healthy. */
export function overall(rollout: Rollout): { total: number; healthy: number } {
  let total = 0;
  let healthy = 0;
  for (const stage of rollout.progress) {
    total += stage.appliances;
    healthy += stage.counts.healthy ?? 0;
  }
  return { total, healthy };
}

export function targetText(
  target: RolloutTarget,
  names: { partner?: (id: string) => string; site?: (id: string) => string | undefined } = {},
): string {
  switch (target.kind) {
    case 'all':
      return 'All appliances';
    case 'partner':
      return `Partner ${names.partner?.(target.partnerId) ?? target.partnerId.slice(0, 8)}`;
    case 'sites': {
      const only = target.siteIds.length === 1 ? names.site?.(target.siteIds[0] ?? '') : undefined;
      return only ? `Site ${only}` : `${target.siteIds.length} site${target.siteIds.length === 1 ? '' : 's'}`;
    }
    case 'channel':
      return `Channel ${target.channel}`;
  }
}

/** The current time, re-rendered every second (for countdowns). */
export function useNow(enabled: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [enabled]);
  return now;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h} h ${pad(m)} min` : `${m}:${pad(s)}`;
}
