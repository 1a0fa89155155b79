import { type ReactNode, useId, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Pie, PieChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';

/**
 * Small, accessible charts (recharts, SVG only: no inline <style>, so the CSP holds). Each chart has
 * a visible title, a role="img" summary for screen readers and its numbers as text beside it.
 * Lives in the lazily loaded faces, never in the sign-in entry chunk.
 */

/** The design tokens in styles.css a chart may use. */
export type Tone = 'ok' | 'bad' | 'warn' | 'ink-2';
const FALLBACK: Record<Tone, string> = { ok: '#15803d', bad: '#b91c1c', warn: '#b45309', 'ink-2': '#475569' };

/** The tokens' colours as the stylesheet has them now (a partner's branding may change them). */
export function useTones(): Record<Tone, string> {
  return useMemo(() => {
    const css = typeof window === 'undefined' ? null : getComputedStyle(document.documentElement);
    const read = (tone: Tone) => css?.getPropertyValue(`--${tone}`).trim() || FALLBACK[tone];
    return { ok: read('ok'), bad: read('bad'), warn: read('warn'), 'ink-2': read('ink-2') };
  }, []);
}

export interface Slice {
  label: string;
  value: number;
  tone: Tone;
}

/** "3 passing, 1 failing, 0 could not run" */
const describe = (slices: readonly Slice[]) => slices.map((s) => `${s.value} ${s.label}`).join(', ');

export function Swatch({ fill }: { fill: string }) {
  return (
    <svg width="10" height="10" aria-hidden="true" focusable="false">
      <rect width="10" height="10" rx="2" fill={fill} />
    </svg>
  );
}

/** The frame every chart shares: title, the SVG as one image with a summary, the numbers as text. */
function Figure(props: {
  title: string;
  summary: string;
  testId: string;
  height: number;
  children: ReactNode;
  numbers?: ReactNode;
  /** In a .grid, whose gap spaces it. */
  inGrid?: boolean;
}) {
  const titleId = useId();
  return (
    <figure
      className="card chart"
      data-testid={props.testId}
      aria-labelledby={titleId}
      style={{ margin: props.inGrid ? 0 : '16px 0' }}
    >
      <h3 id={titleId} style={{ marginTop: 0 }}>
        {props.title}
      </h3>
      <div
        role="img"
        aria-label={`${props.title}: ${props.summary}`}
        data-testid="chart-plot"
        style={{ width: '100%', height: props.height, minWidth: 0 }}
      >
        {props.children}
      </div>
      {props.numbers ? <figcaption>{props.numbers}</figcaption> : null}
    </figure>
  );
}

/** The numbers of a chart as a list with the chart's colours, readable without the picture. */
function Numbers({ slices, fills }: { slices: readonly Slice[]; fills: Record<Tone, string> }) {
  return (
    <ul
      className="hint"
      data-testid="chart-numbers"
      style={{ listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', gap: '4px 16px' }}
    >
      {slices.map((s) => (
        <li key={s.label}>
          <Swatch fill={fills[s.tone]} /> {s.label}: <strong>{s.value}</strong>
        </li>
      ))}
    </ul>
  );
}

export const AXIS = { fontSize: 12 } as const;

/** One bar per category (e.g. controls passing / failing / no evidence). */
export function CategoryBars(props: { title: string; testId: string; slices: readonly Slice[]; height?: number }) {
  const fills = useTones();
  const data = props.slices.map((s) => ({ name: s.label, value: s.value, fill: fills[s.tone] }));
  return (
    <Figure
      title={props.title}
      testId={props.testId}
      summary={describe(props.slices)}
      height={props.height ?? 200}
      numbers={<Numbers slices={props.slices} fills={fills} />}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="name" tick={AXIS} interval={0} stroke={fills['ink-2']} />
          <YAxis allowDecimals={false} tick={AXIS} stroke={fills['ink-2']} />
          <Bar dataKey="value" isAnimationActive={false} maxBarSize={56} />
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

export interface StackSeries {
  key: string;
  label: string;
  tone: Tone;
}

/** One horizontal stacked bar per row (e.g. passing / failing / other results per site). */
export function StackedBars<Row extends { name: string }>(props: {
  title: string;
  testId: string;
  summary: string;
  rows: readonly Row[];
  series: readonly StackSeries[];
  value: (row: Row, key: string) => number;
}) {
  const fills = useTones();
  const data = props.rows.map((r) => ({
    name: r.name,
    ...Object.fromEntries(props.series.map((s) => [s.key, props.value(r, s.key)])),
  }));
  const totals = props.series.map((s) => ({
    label: s.label,
    tone: s.tone,
    value: props.rows.reduce((n, r) => n + props.value(r, s.key), 0),
  }));
  return (
    <Figure
      title={props.title}
      testId={props.testId}
      summary={props.summary}
      height={Math.max(120, 48 + props.rows.length * 32)}
      numbers={<Numbers slices={totals} fills={fills} />}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={data}
          layout="vertical"
          accessibilityLayer={false}
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" allowDecimals={false} tick={AXIS} stroke={fills['ink-2']} />
          <YAxis type="category" dataKey="name" width={96} tick={AXIS} interval={0} stroke={fills['ink-2']} />
          {props.series.map((s) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stackId="all"
              fill={fills[s.tone]}
              isAnimationActive={false}
              maxBarSize={24}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** A donut of parts of a whole (e.g. passing / failing / could not run); empty parts get no slice. */
export function Donut(props: { title: string; testId: string; slices: readonly Slice[]; center?: string }) {
  const fills = useTones();
  const data = props.slices
    .filter((s) => s.value > 0)
    .map((s) => ({ name: s.label, value: s.value, fill: fills[s.tone] }));
  const total = props.slices.reduce((n, s) => n + s.value, 0);
  return (
    <Figure
      title={props.title}
      testId={props.testId}
      summary={total === 0 ? 'no results yet' : describe(props.slices)}
      height={180}
      inGrid
      numbers={<Numbers slices={props.slices} fills={fills} />}
    >
      <ResponsiveContainer width="100%" height="100%">
        <PieChart accessibilityLayer={false}>
          <Pie
            data={data}
            dataKey="value"
            nameKey="name"
            innerRadius="55%"
            outerRadius="85%"
            paddingAngle={data.length > 1 ? 2 : 0}
            stroke="none"
            isAnimationActive={false}
          />
          {props.center ? (
            <text
              x="50%"
              y="50%"
              textAnchor="middle"
              dominantBaseline="central"
              fontSize={18}
              fontWeight={600}
              fill={fills['ink-2']}
            >
              {props.center}
            </text>
          ) : null}
        </PieChart>
      </ResponsiveContainer>
    </Figure>
  );
}
