import { DEFAULT_ROLLOUT_STAGES, type RolloutStage } from '@osiris/protocol';
import { Button, Field } from '../../../ui/kit';

/** A stage as typed: text fields, so half-typed values can be shown and checked. */
export interface StageDraft {
  percent: string;
  healthyMinutes: string;
}

const MAX_STAGES = 10;
const MAX_HEALTHY_MINUTES = 30 * 24 * 60;

export const defaultStageDrafts = (): StageDraft[] =>
  DEFAULT_ROLLOUT_STAGES.map((s) => ({
    percent: String(s.percent),
    healthyMinutes: s.healthyMinutes === null ? '' : String(s.healthyMinutes),
  }));

const wholeIn = (raw: string, min: number, max: number): number | null => {
  if (!/^\d+$/.test(raw.trim())) return null;
  const n = Number(raw.trim());
  return n >= min && n <= max ? n : null;
};

/**
 * Checks the stages the way central does (percents 1–100, strictly increasing, the last 100;
 * healthy minutes blank or 0–43200) with messages per field and for the whole list.
 */
export function checkStages(
  drafts: readonly StageDraft[],
): { ok: true; stages: RolloutStage[] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const stages: RolloutStage[] = [];
  if (drafts.length === 0) errors.stages = 'Add at least one stage.';
  if (drafts.length > MAX_STAGES) errors.stages = `At most ${MAX_STAGES} stages.`;
  drafts.forEach((d, i) => {
    const percent = wholeIn(d.percent, 1, 100);
    if (percent === null) errors[`stages.${i}.percent`] = 'A whole number from 1 to 100.';
    const minutes = d.healthyMinutes.trim() === '' ? null : wholeIn(d.healthyMinutes, 0, MAX_HEALTHY_MINUTES);
    if (d.healthyMinutes.trim() !== '' && minutes === null)
      errors[`stages.${i}.healthyMinutes`] = `Blank, or a whole number of minutes up to ${MAX_HEALTHY_MINUTES}.`;
    const previous = stages[i - 1];
    if (percent !== null && previous && percent <= previous.percent)
      errors[`stages.${i}.percent`] = `Must be more than the stage before (${previous.percent} %).`;
    stages.push({ percent: percent ?? 0, healthyMinutes: minutes });
  });
  const last = drafts[drafts.length - 1];
  if (last && wholeIn(last.percent, 1, 100) !== null && wholeIn(last.percent, 1, 100) !== 100)
    errors.stages = 'The last stage must reach 100 % of the target.';
  return Object.keys(errors).length === 0 ? { ok: true, stages } : { ok: false, errors };
}

/** The stages of a rollout: cumulative percent and the healthy time before it advances by itself. */
export function StagesEditor(props: {
  value: StageDraft[];
  onChange: (next: StageDraft[]) => void;
  errors: Record<string, string>;
}) {
  const set = (i: number, patch: Partial<StageDraft>) =>
    props.onChange(props.value.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  return (
    <fieldset className="card" style={{ marginBottom: 12 }} data-testid="stages-editor">
      <legend>Stages</legend>
      <p className="hint" style={{ marginTop: 0 }}>
        Each stage reaches a share of the target appliances (cumulative, increasing, the last 100 %). A stage advances
        by itself once all its appliances have been healthy for the given minutes; blank means an admin advances it.
      </p>
      {props.value.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: stages have no identity but their position
        <div className="stage-row" key={i} data-testid="stage-row">
          <strong style={{ paddingBottom: 20 }}>{i + 1}.</strong>
          <Field
            label={`Stage ${i + 1} percent`}
            inputMode="numeric"
            value={s.percent}
            error={props.errors[`stages.${i}.percent`]}
            onChange={(e) => set(i, { percent: e.target.value })}
          />
          <Field
            label={`Stage ${i + 1} healthy minutes`}
            inputMode="numeric"
            value={s.healthyMinutes}
            placeholder="manual"
            error={props.errors[`stages.${i}.healthyMinutes`]}
            onChange={(e) => set(i, { healthyMinutes: e.target.value })}
          />
          <div className="field">
            <Button
              label={`Remove stage ${i + 1}`}
              disabled={props.value.length <= 1}
              onClick={() => props.onChange(props.value.filter((_, j) => j !== i))}
            >
              Remove
            </Button>
          </div>
        </div>
      ))}
      {props.errors.stages ? (
        <p className="form-error" role="alert" data-testid="stages-error">
          {props.errors.stages}
        </p>
      ) : null}
      <div className="row">
        <Button
          disabled={props.value.length >= MAX_STAGES}
          onClick={() => props.onChange([...props.value, { percent: '', healthyMinutes: '' }])}
          testId="stage-add"
        >
          Add stage
        </Button>
        <Button onClick={() => props.onChange(defaultStageDrafts())}>Reset to 5 % → 25 % → 100 %</Button>
      </div>
    </fieldset>
  );
}
