import {
  type ControlScore,
  ControlStatus,
  FRAMEWORKS,
  type FrameworkId,
  FrameworkSelectionRequest,
  type FrameworkScore,
  IndustryPresetId,
  PRESETS,
  SCORE_FORMULA,
} from '@osiris/protocol';
import { type FormEvent, type ReactNode, useState } from 'react';
import { frameworkName, type ScoreScope, STATUS_TEXT, scorePercent, useComplianceScore } from './compliance-data';
import { validate } from './forms';
import { Async, Button, Empty, Select } from './kit';

/**
 * Display pieces of compliance scores shared by the admin, partner, practice and auditor faces:
 * the formula, score cards, the status legend, the control breakdown and the framework picker.
 */

/** "How is this calculated?": the formula from protocol, and its three steps in plain words. */
export function FormulaHelp({ formula = SCORE_FORMULA }: { formula?: string }) {
  return (
    <details className="card" data-testid="formula-help" style={{ margin: '12px 0' }}>
      <summary style={{ cursor: 'pointer', fontWeight: 600 }}>How is this calculated?</summary>
      <p data-testid="compliance-formula">{formula}</p>
      <ol className="hint">
        <li>
          Each check on each computer takes the status of its newest result: excepted when an approved exception covers
          it, unknown when the result is older than two check intervals or the check could not run, otherwise pass or
          fail.
        </li>
        <li>
          Each control of a framework fails if any of its items fails; else it is unknown if any is unknown; else it
          passes if any passes. A control none of whose checks ran here is “not assessed”. A manual control passes while
          a person’s attestation of it is valid, and “needs attestation” otherwise.
        </li>
        <li>
          Score = passing ÷ (passing + failing + unknown) controls, with one decimal. Excepted, not assessed and
          unattested controls are counted apart; with none of the three there is no score.
        </li>
      </ol>
    </details>
  );
}

/** "12 passing · 3 failing · …" for a framework's counts. */
function CountsLine({ counts }: { counts: FrameworkScore['counts'] }) {
  return (
    <span data-testid="framework-counts">
      {counts.passing} passing · {counts.failing} failing · {counts.unknown} unknown · {counts.excepted} excepted ·{' '}
      {counts.notAssessed} not assessed · {counts.unattested} need attestation
    </span>
  );
}

/** A framework's score and counts. */
export function ScoreCard({ score }: { score: FrameworkScore }) {
  return (
    <section
      className="card kpi"
      data-testid={`score-card-${score.framework}`}
      aria-label={`${frameworkName(score.framework)}: ${scorePercent(score.score)}`}
    >
      <div className="label">{frameworkName(score.framework)}</div>
      <div className="value" data-testid="framework-score">
        {scorePercent(score.score)}
      </div>
      <div className="label">
        <CountsLine counts={score.counts} />
      </div>
    </section>
  );
}

/** One card per framework: its score and counts. */
export function ScoreCards({ frameworks, empty }: { frameworks: readonly FrameworkScore[]; empty?: ReactNode }) {
  if (frameworks.length === 0) return <Empty>{empty ?? 'No frameworks selected yet.'}</Empty>;
  return (
    <div className="grid" data-testid="score-cards">
      {frameworks.map((f) => (
        <ScoreCard key={f.framework} score={f} />
      ))}
    </div>
  );
}

/** The live score per framework of a practice or partner, with the formula below the cards. */
export function ScopeScores(props: { scope: ScoreScope; id: string | null | undefined; empty: string }) {
  const score = useComplianceScore(props.scope, props.id);
  return (
    <Async query={score} what="the scores">
      {(data) => (
        <>
          <ScoreCards frameworks={data.frameworks} empty={props.empty} />
          <FormulaHelp formula={data.formula} />
        </>
      )}
    </Async>
  );
}

export const StatusBadgeOf = ({ status }: { status: ControlStatus }) => (
  <span className={`badge ${STATUS_TEXT[status].badge}`} data-testid="control-status">
    {STATUS_TEXT[status].label}
  </span>
);

/** What each control status means, in plain language. */
export function StatusLegend() {
  return (
    <details className="card" data-testid="status-legend" style={{ margin: '12px 0' }}>
      <summary style={{ cursor: 'pointer', fontWeight: 600 }}>What the statuses mean</summary>
      <dl style={{ margin: 0 }}>
        {ControlStatus.options.map((s) => (
          <div key={s} style={{ margin: '8px 0' }}>
            <dt>
              <StatusBadgeOf status={s} />
            </dt>
            <dd style={{ marginLeft: 0 }}>{STATUS_TEXT[s].meaning}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

const tally = (controls: readonly ControlScore[]) =>
  ControlStatus.options
    .map((s) => [s, controls.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${STATUS_TEXT[s].label.toLowerCase()}`)
    .join(', ');

/** A framework's controls grouped by family, each family collapsible (open when something fails). */
export function ControlBreakdown({ framework }: { framework: FrameworkScore }) {
  const families = new Map<string, ControlScore[]>();
  for (const c of framework.controls) families.set(c.family, [...(families.get(c.family) ?? []), c]);
  if (families.size === 0) return <Empty>No controls to show.</Empty>;
  return (
    <div data-testid={`breakdown-${framework.framework}`}>
      {[...families.entries()].map(([family, controls]) => (
        <details
          key={family}
          data-testid="family"
          open={controls.some((c) => c.status === 'fail')}
          style={{ borderTop: '1px solid var(--line)', padding: '6px 0' }}
        >
          <summary style={{ cursor: 'pointer' }}>
            <strong>{family}</strong> <span className="hint">({tally(controls)})</span>
          </summary>
          <ul style={{ listStyle: 'none', padding: 0, margin: '6px 0' }}>
            {controls.map((c) => (
              <li
                key={c.id}
                data-testid={`breakdown-control-${c.id}`}
                data-status={c.status}
                style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'baseline', padding: '3px 0' }}
              >
                <StatusBadgeOf status={c.status} />
                <strong>{c.id}</strong>
                <span style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{c.title}</span>
                <span className="hint">
                  {c.manual
                    ? 'manual'
                    : `${c.items.pass} pass · ${c.items.fail} fail · ${c.items.unknown} unknown · ${c.items.excepted} excepted`}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}

export interface Selection {
  preset: string | null;
  frameworks: readonly FrameworkId[];
}

const CUSTOM = '';
const presetFrameworks = (id: string): readonly FrameworkId[] => PRESETS.find((p) => p.id === id)?.frameworks ?? [];

/**
 * A preset dropdown and a checkbox per framework. Picking a preset ticks its frameworks; ticking
 * by hand makes a custom selection. Saves a `FrameworkSelectionRequest` validated client-side.
 */
export function FrameworkPicker(props: {
  value: Selection;
  onSave: (body: FrameworkSelectionRequest) => void;
  busy: boolean;
  canEdit: boolean;
  error?: string | null;
  saveLabel?: string;
  extra?: ReactNode;
}) {
  const [preset, setPreset] = useState<string>(props.value.preset ?? CUSTOM);
  const [chosen, setChosen] = useState<readonly FrameworkId[]>(props.value.frameworks);
  const [problem, setProblem] = useState<string | null>(null);
  const matchesPreset =
    preset !== CUSTOM &&
    presetFrameworks(preset).length === chosen.length &&
    presetFrameworks(preset).every((f) => chosen.includes(f));
  function pickPreset(id: string) {
    setPreset(id);
    if (id !== CUSTOM) setChosen(presetFrameworks(id));
  }
  function toggle(id: FrameworkId, on: boolean) {
    setChosen(
      on ? FRAMEWORKS.map((f) => f.id).filter((f) => f === id || chosen.includes(f)) : chosen.filter((f) => f !== id),
    );
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    const presetId = IndustryPresetId.safeParse(preset);
    const body = matchesPreset && presetId.success ? { preset: presetId.data } : { frameworks: [...chosen] };
    const checked = validate(FrameworkSelectionRequest, body);
    if (!checked.ok) {
      setProblem(chosen.length === 0 ? 'Choose at least one framework.' : Object.values(checked.errors).join(' '));
      return;
    }
    setProblem(null);
    props.onSave(checked.data);
  }
  const message = problem ?? props.error ?? null;
  return (
    <form onSubmit={submit} noValidate data-testid="framework-picker">
      <Select
        label="Industry preset"
        value={matchesPreset ? preset : CUSTOM}
        onChange={pickPreset}
        testId="preset-select"
        options={[
          { value: CUSTOM, label: 'Custom selection' },
          ...PRESETS.map((p) => ({ value: p.id, label: p.name })),
        ]}
      />
      <p className="hint">{PRESETS.find((p) => p.id === preset)?.description ?? 'Tick the frameworks below.'}</p>
      <fieldset disabled={!props.canEdit} style={{ border: 0, padding: 0, margin: '8px 0' }}>
        <legend className="label">Frameworks</legend>
        <div style={{ display: 'grid', gap: 4, gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))' }}>
          {FRAMEWORKS.map((f) => (
            <label key={f.id} title={f.description} style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
              <input
                type="checkbox"
                checked={chosen.includes(f.id)}
                onChange={(e) => toggle(f.id, e.target.checked)}
                data-testid={`framework-check-${f.id}`}
              />
              {f.name} <span className="hint">{f.version}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {message ? (
        <p className="form-error" role="alert" data-testid="picker-error">
          {message}
        </p>
      ) : null}
      {props.canEdit ? (
        <div className="row" style={{ flexWrap: 'wrap' }}>
          <Button type="submit" kind="primary" busy={props.busy} testId="save-frameworks">
            {props.saveLabel ?? 'Save frameworks'}
          </Button>
          {props.extra}
        </div>
      ) : null}
    </form>
  );
}
