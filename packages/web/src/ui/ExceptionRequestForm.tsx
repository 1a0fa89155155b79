import {
  ComplianceException,
  checksForFrameworkControl,
  controlsOf,
  EXCEPTION_MAX_DAYS,
  ExceptionCreateRequest,
  FRAMEWORKS,
  type FrameworkId,
  HostPage,
  LINUX_CHECKS,
  WINDOWS_CHECKS,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, query } from '../api';
import { EXCEPTIONS_KEY, type SiteOption } from './ExceptionParts';
import { validate } from './forms';
import { Button, Field, Select, TextArea, useToast } from './kit';

const DAY_MS = 86_400_000;
const CHECK_OPTIONS = [...LINUX_CHECKS, ...WINDOWS_CHECKS].map((c) => ({
  value: c.id,
  label: `${c.title} (${c.platform})`,
}));
const FRAMEWORK_OPTIONS = FRAMEWORKS.map((f) => ({ value: f.id, label: f.name }));

/** yyyy-mm-dd of a local date. */
const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The chosen day at the current time of day, so the last allowed day is exactly a year from now. */
function expiryOf(day: string, now: Date): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const at = new Date(now);
  at.setFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(at.getTime()) ? null : at;
}

const FRIENDLY: Record<string, string> = {
  reason: 'Give at least 10 characters (at most 2000): why the site cannot comply and what compensates.',
  'scope.checkId': 'Choose a check.',
  'scope.controlId': 'Choose a control.',
};

/** Ask for an exception: site, optional host, one check or one framework control, reason, expiry. */
export function ExceptionRequestForm(props: { sites: readonly SiteOption[]; onDone?: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const [siteId, setSiteId] = useState(props.sites[0]?.id ?? '');
  const [hostId, setHostId] = useState('');
  const [kind, setKind] = useState<'check' | 'control'>('check');
  const [checkId, setCheckId] = useState('');
  const [framework, setFramework] = useState<FrameworkId>('hipaa');
  const [controlId, setControlId] = useState('');
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const hosts = useQuery({
    queryKey: ['exceptions', 'hosts', siteId],
    queryFn: () => api(HostPage, 'GET', `/v1/hosts${query({ siteId, limit: 200 })}`),
    enabled: Boolean(siteId),
    retry: false,
  });
  const create = useMutation({
    mutationFn: (body: ExceptionCreateRequest) =>
      api(ComplianceException, 'POST', `/v1/sites/${siteId}/exceptions`, body),
    onSuccess: async () => {
      setReason('');
      setExpiry('');
      setFormError(null);
      toast('Exception requested; an admin decides');
      await client.invalidateQueries({ queryKey: EXCEPTIONS_KEY });
      props.onDone?.();
    },
    onError: (error) => {
      setFormError(error.message);
      if (error instanceof ApiError) setErrors(error.fieldErrors());
    },
  });
  const now = new Date();
  const limit = new Date(now.getTime() + EXCEPTION_MAX_DAYS * DAY_MS);
  const maxDay = isoDay(limit);
  const covered = kind === 'control' && controlId ? checksForFrameworkControl(framework, controlId).length : null;

  function submit(ev: FormEvent) {
    ev.preventDefault();
    const problems: Record<string, string> = {};
    if (!siteId) problems.siteId = 'Choose a site.';
    let expiresAt = expiryOf(expiry, now);
    // The last allowed day is a year from now to the minute (a daylight-saving shift aside).
    if (expiresAt && expiry === maxDay && expiresAt > limit) expiresAt = limit;
    if (!expiresAt) problems.expiresAt = 'Choose the day the exception ends.';
    else if (expiresAt.getTime() <= now.getTime()) problems.expiresAt = 'The end must be in the future.';
    else if (expiresAt > limit)
      problems.expiresAt = `At most one year: choose ${limit.toLocaleDateString()} or earlier.`;
    const scope = kind === 'check' ? { kind, checkId } : { kind, framework, controlId };
    const checked = validate(ExceptionCreateRequest, {
      hostId: hostId || null,
      scope,
      reason,
      expiresAt: (expiresAt ?? now).toISOString(),
    });
    if (!checked.ok)
      for (const [field, message] of Object.entries(checked.errors)) problems[field] ??= FRIENDLY[field] ?? message;
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !checked.ok) return;
    create.mutate(checked.data);
  }
  return (
    <form
      className="card"
      onSubmit={submit}
      noValidate
      aria-labelledby="exception-form-title"
      data-testid="exception-form"
    >
      <h2 id="exception-form-title">Request an exception</h2>
      <p className="hint">
        Excuse a site (or one host) from a check, or from every check of one framework control, for a stated reason and
        at most a year. A partner or platform admin approves it; auditors see it.
      </p>
      <div className="grid">
        <Select
          label="Site"
          value={siteId}
          onChange={(v) => {
            setSiteId(v);
            setHostId('');
          }}
          options={[
            { value: '', label: 'Choose a site…' },
            ...props.sites.map((s) => ({ value: s.id, label: s.name })),
          ]}
        />
        <Select
          label="Host (optional)"
          value={hostId}
          onChange={setHostId}
          options={[
            { value: '', label: 'Every host of the site' },
            ...(hosts.data?.items ?? []).map((h) => ({ value: h.id, label: h.hostname })),
          ]}
        />
        <Select
          label="Excuse from"
          value={kind}
          onChange={(v) => setKind(v === 'control' ? 'control' : 'check')}
          options={[
            { value: 'check', label: 'One check' },
            { value: 'control', label: 'A framework control' },
          ]}
        />
        {kind === 'check' ? (
          <Select
            label="Check"
            value={checkId}
            onChange={setCheckId}
            options={[{ value: '', label: 'Choose a check…' }, ...CHECK_OPTIONS]}
          />
        ) : (
          <>
            <Select
              label="Framework"
              value={framework}
              onChange={(v) => {
                setFramework(v as FrameworkId);
                setControlId('');
              }}
              options={FRAMEWORK_OPTIONS}
            />
            <Select
              label="Control"
              value={controlId}
              onChange={setControlId}
              options={[
                { value: '', label: 'Choose a control…' },
                ...controlsOf(framework).map((c) => ({ value: c.id, label: `${c.id} ${c.title}` })),
              ]}
            />
          </>
        )}
      </div>
      {errors['scope.checkId'] || errors['scope.controlId'] || errors.siteId ? (
        <p className="error" role="alert">
          {errors.siteId ?? errors['scope.checkId'] ?? errors['scope.controlId']}
        </p>
      ) : null}
      {covered !== null ? (
        <p className="hint" data-testid="covered-checks">
          {covered === 0
            ? 'No automated check evidences this control, so the exception would excuse nothing.'
            : `Covers ${covered} check${covered === 1 ? '' : 's'}.`}
        </p>
      ) : null}
      <TextArea label="Reason" value={reason} onChange={setReason} error={errors.reason} testId="exception-reason" />
      <Field
        label="Ends on"
        type="date"
        value={expiry}
        min={isoDay(now)}
        max={maxDay}
        onChange={(e) => setExpiry(e.target.value)}
        error={errors.expiresAt}
        hint="At most one year from today."
      />
      {formError ? (
        <p className="form-error" role="alert" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={create.isPending}>
        Request exception
      </Button>
    </form>
  );
}
