import {
  type Attestation,
  type ControlScore,
  ControlStatus,
  type FrameworkId,
  type FrameworkScore,
} from '@osiris/protocol';
import { useState } from 'react';
import { CategoryBars, type Tone } from '../faces/charts/Charts';
import { AttestButton, AttestationLine } from './Attestations';
import { FormulaHelp, ScoreCard, StatusBadgeOf, StatusLegend } from './ComplianceParts';
import { frameworkName, STATUS_TEXT, scorePercent, useAttestations, useComplianceScore } from './compliance-data';
import { Async, Empty, Select } from './kit';

/**
 * A practice's controls, one framework at a time, from `/v1/practices/:id/compliance`: a status
 * filter, the legend, a chart of controls by status, and a card per control. Manual controls show
 * their attestation; people allowed to attest get "Attest" and "Withdraw".
 */

const TONE: Record<ControlStatus, Tone> = {
  pass: 'ok',
  fail: 'bad',
  unknown: 'warn',
  excepted: 'ink-2',
  not_assessed: 'ink-2',
  unattested: 'warn',
};

type Filter = ControlStatus | 'all';

function ControlCard(props: {
  control: ControlScore;
  framework: FrameworkId;
  practiceId: string;
  attestation: Attestation | undefined;
  canAttest: boolean;
}) {
  const { control, attestation } = props;
  return (
    <section
      className="card"
      data-testid={`control-${control.id}`}
      data-state={control.status}
      aria-label={`${control.id} ${control.title}: ${STATUS_TEXT[control.status].label}`}
      style={{ minWidth: 0 }}
    >
      <div className="row">
        <strong>{control.id}</strong>
        <span className="spacer" />
        <StatusBadgeOf status={control.status} />
      </div>
      <div style={{ overflowWrap: 'anywhere' }}>{control.title}</div>
      <div className="hint">
        {control.family}
        {control.manual ? ' · manual: attested by a person' : ''}
      </div>
      {control.manual ? (
        <div style={{ marginTop: 8, display: 'grid', gap: 8 }}>
          {attestation ? (
            <AttestationLine attestation={attestation} canWithdraw={props.canAttest} />
          ) : (
            <span className="hint">Not attested yet.</span>
          )}
          {props.canAttest && !attestation?.isValid ? (
            <div>
              <AttestButton
                practiceId={props.practiceId}
                framework={props.framework}
                controlId={control.id}
                title={control.title}
              />
            </div>
          ) : null}
        </div>
      ) : (
        <p className="hint" style={{ marginBottom: 0 }}>
          Checks: {control.items.pass} passing, {control.items.fail} failing, {control.items.unknown} unknown,{' '}
          {control.items.excepted} excepted
        </p>
      )}
    </section>
  );
}

function FrameworkControls(props: {
  score: FrameworkScore;
  practiceId: string;
  attestations: readonly Attestation[];
  canAttest: boolean;
}) {
  const [filter, setFilter] = useState<Filter>('all');
  const { score } = props;
  const inStatus = (s: ControlStatus) => score.controls.filter((c) => c.status === s).length;
  const shown = filter === 'all' ? score.controls : score.controls.filter((c) => c.status === filter);
  /** Newest first from the API: the valid one if any, else the newest. */
  const attestationOf = (controlId: string) => {
    const mine = props.attestations.filter((a) => a.framework === score.framework && a.controlId === controlId);
    return mine.find((a) => a.isValid) ?? mine[0];
  };
  return (
    <>
      <ScoreCard score={score} />
      <CategoryBars
        title="Controls by status"
        testId="chart-controls"
        slices={ControlStatus.options.map((s) => ({
          label: STATUS_TEXT[s].label.toLowerCase(),
          value: inStatus(s),
          tone: TONE[s],
        }))}
      />
      <Select
        label="Show"
        value={filter}
        onChange={(v) => setFilter(v as Filter)}
        testId="control-status-filter"
        options={[
          { value: 'all', label: `All controls (${score.controls.length})` },
          ...ControlStatus.options.map((s) => ({ value: s, label: `${STATUS_TEXT[s].label} (${inStatus(s)})` })),
        ]}
      />
      {shown.length === 0 ? (
        <Empty>No control of {frameworkName(score.framework)} has this status.</Empty>
      ) : (
        <div className="grid" data-testid="controls">
          {shown.map((c) => (
            <ControlCard
              key={c.id}
              control={c}
              framework={score.framework}
              practiceId={props.practiceId}
              attestation={c.manual ? attestationOf(c.id) : undefined}
              canAttest={props.canAttest}
            />
          ))}
        </div>
      )}
    </>
  );
}

/** The controls page body for a practice (practice face, auditor face). */
export function ControlsGrid({ practiceId, canAttest }: { practiceId: string; canAttest: boolean }) {
  const score = useComplianceScore('practices', practiceId);
  const attestations = useAttestations(practiceId);
  const [chosen, setChosen] = useState<FrameworkId | ''>('');
  return (
    <Async query={score} what="the controls">
      {(data) => {
        const current = data.frameworks.find((f) => f.framework === chosen) ?? data.frameworks[0];
        if (!current) return <Empty>No frameworks are selected for this practice's sites yet.</Empty>;
        return (
          <>
            <Select
              label="Framework"
              value={current.framework}
              onChange={(v) => setChosen(v as FrameworkId)}
              testId="framework-switcher"
              options={data.frameworks.map((f) => ({
                value: f.framework,
                label: `${frameworkName(f.framework)} (${scorePercent(f.score)})`,
              }))}
            />
            <FormulaHelp formula={data.formula} />
            <StatusLegend />
            {attestations.error ? (
              <p className="form-error" role="alert">
                Attestations could not be loaded; manual controls show no documents.
              </p>
            ) : null}
            <FrameworkControls
              key={current.framework}
              score={current}
              practiceId={practiceId}
              attestations={attestations.data?.items ?? []}
              canAttest={canAttest}
            />
          </>
        );
      }}
    </Async>
  );
}
