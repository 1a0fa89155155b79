import { type ReleaseChannel, RolloutCreateRequest, type RolloutTarget } from '@osiris/protocol';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../../api';
import { validate } from '../../../ui/forms';
import { Button, Field, messageOf, Select, useToast } from '../../../ui/kit';
import { FormError, Load } from '../common';
import { usePartners } from '../Practices';
import { createRollout, useAllSites, useReleases } from './fleet-api';
import { checkStages, defaultStageDrafts, type StageDraft, StagesEditor } from './StagesEditor';

type TargetKind = RolloutTarget['kind'];

/** Checkboxes of the sites, with a filter for long lists. */
function SitePicker(props: { chosen: string[]; onChange: (ids: string[]) => void; error?: string | undefined }) {
  const sites = useAllSites();
  const [filter, setFilter] = useState('');
  return (
    <Load query={sites} what="the sites">
      {(page) => {
        const shown = page.items.filter((s) => s.name.toLowerCase().includes(filter.trim().toLowerCase()));
        return (
          <fieldset className="card" style={{ marginBottom: 12 }} data-testid="site-picker">
            <legend>Sites ({props.chosen.length} chosen)</legend>
            <Field label="Filter sites" value={filter} onChange={(e) => setFilter(e.target.value)} />
            <div style={{ maxHeight: 220, overflowY: 'auto' }}>
              {shown.map((s) => (
                <label key={s.id} style={{ display: 'block', padding: '2px 0' }}>
                  <input
                    type="checkbox"
                    checked={props.chosen.includes(s.id)}
                    onChange={(e) =>
                      props.onChange(
                        e.target.checked ? [...props.chosen, s.id] : props.chosen.filter((id) => id !== s.id),
                      )
                    }
                  />{' '}
                  {s.name}
                </label>
              ))}
              {shown.length === 0 ? <p className="hint">No site matches.</p> : null}
            </div>
            {props.error ? (
              <p className="form-error" role="alert">
                {props.error}
              </p>
            ) : null}
          </fieldset>
        );
      }}
    </Load>
  );
}

/** The new-rollout form: release, target, stages and failure threshold. */
export function CreateRollout({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const toast = useToast();
  const releases = useReleases();
  const partners = usePartners();
  const [version, setVersion] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TargetKind>('all');
  const [partnerId, setPartnerId] = useState('');
  const [siteIds, setSiteIds] = useState<string[]>([]);
  const [channel, setChannel] = useState<ReleaseChannel>('stable');
  const [stages, setStages] = useState<StageDraft[]>(defaultStageDrafts);
  const [threshold, setThreshold] = useState('10');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: createRollout,
    onSuccess: (rollout) => {
      toast(`Rollout ${rollout.name} started`);
      navigate(`/admin/rollouts/${rollout.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(error.fieldErrors());
    },
  });
  const available = (releases.data ?? []).filter((r) => r.state === 'available');
  const chosenVersion =
    version || (available.find((r) => r.latest && r.channel === 'stable') ?? available[0])?.version || '';
  const target = (): RolloutTarget => {
    if (kind === 'partner') return { kind, partnerId };
    if (kind === 'sites') return { kind, siteIds };
    if (kind === 'channel') return { kind, channel };
    return { kind: 'all' };
  };
  const submit = () => {
    create.reset();
    const found: Record<string, string> = {};
    if (!chosenVersion) found.version = 'Choose a release (only available releases can be rolled out).';
    if (kind === 'partner' && !partnerId) found['target.partnerId'] = 'Choose a partner.';
    if (kind === 'sites' && siteIds.length === 0) found['target.siteIds'] = 'Choose at least one site.';
    if (!/^\d+$/.test(threshold.trim()) || Number(threshold) < 1 || Number(threshold) > 100)
      found.failureThresholdPercent = 'A whole number from 1 to 100.';
    const checked = checkStages(stages);
    if (!checked.ok) Object.assign(found, checked.errors);
    if (Object.keys(found).length > 0 || !checked.ok) return setErrors(found);
    const body = validate(RolloutCreateRequest, {
      version: chosenVersion,
      ...(name.trim() ? { name: name.trim() } : {}),
      target: target(),
      stages: checked.stages,
      failureThresholdPercent: Number(threshold),
    });
    if (!body.ok) return setErrors(body.errors);
    setErrors({});
    create.mutate(body.data);
  };
  return (
    <Load query={releases} what="the releases">
      {() => (
        <form
          className="card"
          aria-label="New rollout"
          noValidate
          data-testid="rollout-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <h2 style={{ marginTop: 0 }}>New rollout</h2>
          <Select
            label="Release"
            value={chosenVersion}
            onChange={setVersion}
            testId="rollout-version"
            options={[
              ...(available.length === 0 ? [{ value: '', label: 'No available release' }] : []),
              ...available.map((r) => ({
                value: r.version,
                label: `${r.version} (${r.channel}${r.latest ? ', latest' : ''})`,
              })),
            ]}
          />
          {errors.version ? (
            <p className="form-error" role="alert">
              {errors.version}
            </p>
          ) : null}
          <Field label="Name (optional)" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
          <Select
            label="Target"
            value={kind}
            onChange={(v) => setKind(v as TargetKind)}
            testId="rollout-target"
            options={[
              { value: 'all', label: 'All appliances' },
              { value: 'partner', label: 'The appliances of one partner' },
              { value: 'sites', label: 'Chosen sites' },
              { value: 'channel', label: 'Appliances on a channel' },
            ]}
          />
          {kind === 'partner' ? (
            <Load query={partners} what="the partners">
              {(p) => (
                <>
                  <Select
                    label="Partner"
                    value={partnerId}
                    onChange={setPartnerId}
                    testId="rollout-partner"
                    options={[
                      { value: '', label: 'Choose a partner…' },
                      ...p.items.map((x) => ({ value: x.id, label: x.name })),
                    ]}
                  />
                  {errors['target.partnerId'] ? (
                    <p className="form-error" role="alert">
                      {errors['target.partnerId']}
                    </p>
                  ) : null}
                </>
              )}
            </Load>
          ) : null}
          {kind === 'sites' ? (
            <SitePicker chosen={siteIds} onChange={setSiteIds} error={errors['target.siteIds']} />
          ) : null}
          {kind === 'channel' ? (
            <Select
              label="Channel"
              value={channel}
              onChange={(v) => setChannel(v as ReleaseChannel)}
              testId="rollout-channel"
              options={[
                { value: 'stable', label: 'Stable' },
                { value: 'beta', label: 'Beta' },
              ]}
            />
          ) : null}
          <StagesEditor value={stages} onChange={setStages} errors={errors} />
          <Field
            label="Failure threshold (%)"
            inputMode="numeric"
            value={threshold}
            error={errors.failureThresholdPercent}
            hint="The rollout pauses by itself when failed and rolled-back appliances reach this share of a stage."
            onChange={(e) => setThreshold(e.target.value)}
            data-testid="rollout-threshold"
          />
          <FormError message={create.error ? messageOf(create.error) : null} />
          <div className="row">
            <Button type="submit" kind="primary" busy={create.isPending} testId="rollout-start">
              Start rollout
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </div>
        </form>
      )}
    </Load>
  );
}
