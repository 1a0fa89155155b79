import { type FrameworkCompliance, type HealingTierStats, OverviewResponse } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useId } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { api } from '../../api';
import { Empty, ErrorState, Loading, Table } from '../../ui/kit';
import { AXIS, useTones } from './Charts';

/**
 * Fleet statistics from `/v1/overview` (compliance by framework, healing by tier), each a card with
 * loading, empty and error states.
 * The numbers are always also written out as text beside the picture.
 */

interface QueryState<T> {
  data: T | undefined;
  isLoading: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** A titled card around one query: loading, error, "No results yet", or the content. */
export function StatCard<T>(props: {
  title: string;
  testId: string;
  query: QueryState<T>;
  isEmpty: (data: T) => boolean;
  empty?: string;
  children: (data: T) => ReactNode;
}) {
  const titleId = useId();
  const { query } = props;
  let body: ReactNode;
  if (query.isLoading) body = <Loading what={props.title.toLowerCase()} />;
  else if (query.error || query.data === undefined)
    body = <ErrorState error={query.error} retry={() => query.refetch()} />;
  else if (props.isEmpty(query.data)) body = <Empty>{props.empty ?? 'No results yet'}</Empty>;
  else body = props.children(query.data);
  return (
    <section className="card" data-testid={props.testId} aria-labelledby={titleId} style={{ minWidth: 0 }}>
      <h2 id={titleId} style={{ marginTop: 0 }}>
        {props.title}
      </h2>
      {body}
    </section>
  );
}

/** The SVG of a card as one image with a summary for screen readers. */
export function Plot({ label, height, children }: { label: string; height: number; children: ReactNode }) {
  return (
    <div role="img" aria-label={label} data-testid="chart-plot" style={{ width: '100%', height, minWidth: 0 }}>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}

const pct = (value: number | null) => (value === null ? '—' : `${value}%`);

function FrameworkBars({ frameworks }: { frameworks: readonly FrameworkCompliance[] }) {
  const fills = useTones();
  const data = frameworks.map((f) => ({ name: f.label, percent: f.percent ?? 0 }));
  const summary = frameworks.map((f) => `${f.label} ${pct(f.percent)}`).join(', ');
  return (
    <>
      <Plot label={`Compliance by framework: ${summary}`} height={48 + frameworks.length * 36}>
        <BarChart data={data} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0 }}>
          <CartesianGrid horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" domain={[0, 100]} unit="%" tick={AXIS} stroke={fills['ink-2']} />
          <YAxis type="category" dataKey="name" width={96} tick={AXIS} interval={0} stroke={fills['ink-2']} />
          <Bar dataKey="percent" fill={fills.ok} isAnimationActive={false} maxBarSize={22} />
        </BarChart>
      </Plot>
      <ul className="hint" data-testid="framework-numbers" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {frameworks.map((f) => (
          <li key={f.framework} data-testid={`framework-${f.framework}`}>
            <strong>{f.label}</strong>: <strong data-testid="framework-percent">{pct(f.percent)}</strong> ·{' '}
            <span data-testid="framework-counts">
              {f.passing} passing · {f.failing} failing · {f.other} unknown controls over {f.sites}{' '}
              {f.sites === 1 ? 'site' : 'sites'}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

function HealingBars({ healing }: { healing: readonly HealingTierStats[] }) {
  const fills = useTones();
  const data = healing.map((h) => ({ name: h.tier, healed: h.healed, failed: h.failed, refused: h.refused }));
  const summary = healing
    .map((h) => `${h.tier}: ${h.attempts} attempts, ${h.healed} healed, ${h.failed} failed`)
    .join('; ');
  return (
    <>
      <Plot label={`Healing by tier: ${summary}`} height={180}>
        <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="name" tick={AXIS} interval={0} stroke={fills['ink-2']} />
          <YAxis allowDecimals={false} tick={AXIS} stroke={fills['ink-2']} />
          <Bar dataKey="healed" name="Healed" stackId="t" fill={fills.ok} isAnimationActive={false} maxBarSize={48} />
          <Bar dataKey="failed" name="Failed" stackId="t" fill={fills.bad} isAnimationActive={false} maxBarSize={48} />
          <Bar
            dataKey="refused"
            name="Refused"
            stackId="t"
            fill={fills.warn}
            isAnimationActive={false}
            maxBarSize={48}
          />
        </BarChart>
      </Plot>
      <Table
        caption="Healing attempts by tier"
        testId="healing-table"
        rows={healing}
        rowKey={(h) => h.tier}
        empty="No results yet"
        columns={[
          { header: 'Tier', cell: (h) => h.tier },
          { header: 'Attempts', cell: (h) => h.attempts },
          { header: 'Healed', cell: (h) => h.healed },
          { header: 'Failed', cell: (h) => h.failed },
          { header: 'Refused', cell: (h) => h.refused },
          { header: 'Median time', cell: (h) => seconds(h.medianDurationMs) },
        ]}
      />
    </>
  );
}

/** Compliance by framework and healing by tier, for everything the signed-in person reaches. */
export function FleetCards({ scope }: { scope: string }) {
  const overview = useQuery({
    queryKey: ['overview', scope],
    queryFn: () => api(OverviewResponse, 'GET', '/v1/overview'),
  });
  const windowDays = overview.data?.windowDays ?? 30;
  return (
    <div className="grid" data-testid="fleet-cards" style={{ margin: '16px 0' }}>
      <StatCard
        title="Compliance by framework"
        testId="card-frameworks"
        query={overview}
        isEmpty={(o) => o.frameworks.every((f) => f.passing + f.failing + f.other === 0)}
      >
        {(o) => <FrameworkBars frameworks={o.frameworks} />}
      </StatCard>
      <StatCard
        title="Healing by tier"
        testId="card-healing"
        query={overview}
        isEmpty={(o) => o.healing.every((h) => h.attempts === 0)}
        empty={`No results yet: no healing attempts in the last ${windowDays} days.`}
      >
        {(o) => (
          <>
            <p className="hint">Last {o.windowDays} days.</p>
            <HealingBars healing={o.healing} />
          </>
        )}
      </StatCard>
    </div>
  );
}
