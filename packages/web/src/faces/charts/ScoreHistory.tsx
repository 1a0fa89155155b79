import { type FrameworkId, FRAMEWORKS, type ScoreSnapshot } from '@osiris/protocol';
import { CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts';
import { frameworkName, type ScoreScope, useScoreHistory } from '../../ui/compliance-data';
import { AXIS, Swatch, useTones } from './Charts';
import { Plot, StatCard } from './Fleet';

/**
 * The daily score snapshots of a site, practice or partner (`/score-history`), one line per
 * framework, with the latest score of each written out beside the chart.
 */

/** One colour per framework (SVG attributes, so the CSP holds), in FRAMEWORKS order. */
const PALETTE = [
  '#2563eb',
  '#15803d',
  '#b45309',
  '#7c3aed',
  '#0f766e',
  '#be123c',
  '#4d7c0f',
  '#c2410c',
  '#0369a1',
  '#6d28d9',
];
const colourOf = (framework: FrameworkId) => PALETTE[FRAMEWORKS.findIndex((f) => f.id === framework)] ?? '#475569';

function HistoryLines({ items }: { items: readonly ScoreSnapshot[] }) {
  const fills = useTones();
  const frameworks = [...new Set(items.map((i) => i.framework))];
  const days = [...new Set(items.map((i) => i.day))].sort();
  const rows = days.map((day) => ({
    day: day.slice(5),
    ...Object.fromEntries(items.filter((i) => i.day === day).map((i) => [i.framework, i.score])),
  }));
  const latest = frameworks.map((framework) => ({
    framework,
    last: items.filter((i) => i.framework === framework).at(-1),
  }));
  const summary = latest
    .map(
      ({ framework, last }) =>
        `${frameworkName(framework)} ${last?.score ?? 'no score'}${last?.score === null ? '' : '%'} on ${last?.day}`,
    )
    .join(', ');
  return (
    <>
      <Plot label={`Score over ${days.length} days: ${summary}`} height={220}>
        <LineChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tick={AXIS} minTickGap={24} stroke={fills['ink-2']} />
          <YAxis domain={[0, 100]} unit="%" tick={AXIS} stroke={fills['ink-2']} />
          {frameworks.map((f) => (
            <Line
              key={f}
              type="monotone"
              dataKey={f}
              name={frameworkName(f)}
              stroke={colourOf(f)}
              strokeWidth={2}
              dot={{ r: 3, fill: colourOf(f) }}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </Plot>
      <ul
        className="hint"
        data-testid="trend-latest"
        style={{ listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', gap: '4px 16px' }}
      >
        {latest.map(({ framework, last }) => (
          <li key={framework} data-testid={`trend-latest-${framework}`}>
            <Swatch fill={colourOf(framework)} /> {frameworkName(framework)}:{' '}
            <strong>{last?.score === null || last === undefined ? 'no score' : `${last.score}%`}</strong> on {last?.day}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The score history card: loading, error, "No snapshots yet", or one line per framework. */
export function ScoreHistoryChart({
  scope,
  id,
  days = 30,
}: {
  scope: ScoreScope;
  id: string | null | undefined;
  days?: number;
}) {
  const history = useScoreHistory(scope, id, days);
  return (
    <StatCard
      title={`Score over the last ${days} days`}
      testId="chart-trend"
      query={history}
      isEmpty={(h) => h.items.length === 0}
      empty="No results yet: the score is recorded once a day."
    >
      {(h) => <HistoryLines items={h.items} />}
    </StatCard>
  );
}
