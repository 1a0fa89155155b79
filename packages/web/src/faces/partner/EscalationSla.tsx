import { ESCALATION_SLA_MINUTES, EscalationPriority, EscalationSla, EscalationSlaSettings } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiError } from '../../api';
import { validate } from '../../ui/forms';
import { Async, Button, Field, useToast } from '../../ui/kit';
import { FormError, usePartner } from './common';

const PRIORITIES = EscalationPriority.options;
type Values = Record<EscalationPriority, string>;
const RANGE = 'Whole minutes from 5 to 10080 (7 days).';

const toValues = (sla: EscalationSla): Values => ({
  P1: String(sla.P1),
  P2: String(sla.P2),
  P3: String(sla.P3),
  P4: String(sla.P4),
});

/** Partner admins: how long their people have to acknowledge an escalation, per priority. */
export function EscalationSlaCard() {
  const { partnerId } = usePartner();
  const client = useQueryClient();
  const toast = useToast();
  const key = ['partner', partnerId, 'escalation-sla'];
  const sla = useQuery({
    queryKey: key,
    queryFn: () => api(EscalationSla, 'GET', `/v1/partners/${partnerId}/escalation-sla`),
  });
  const [values, setValues] = useState<Values>({ P1: '', P2: '', P3: '', P4: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  useEffect(() => {
    if (sla.data) setValues(toValues(sla.data));
  }, [sla.data]);
  const save = useMutation({
    mutationFn: (body: EscalationSlaSettings) =>
      api(EscalationSla, 'PUT', `/v1/partners/${partnerId}/escalation-sla`, body),
    onSuccess: (saved, body) => {
      client.setQueryData(key, saved);
      setValues(toValues(saved));
      setFormError(null);
      toast(Object.keys(body).length === 0 ? 'Default SLAs restored' : 'Escalation SLAs saved');
    },
    onError: (error) => {
      setFormError(error.message);
      if (error instanceof ApiError) setErrors(error.fieldErrors());
    },
  });
  function submit(ev: FormEvent) {
    ev.preventDefault();
    const body: Record<string, number> = {};
    const problems: Record<string, string> = {};
    for (const p of PRIORITIES) {
      const raw = values[p].trim();
      if (!/^\d+$/.test(raw)) problems[p] = RANGE;
      // An override equal to the default is left out, so a later change of defaults applies.
      else if (Number(raw) !== ESCALATION_SLA_MINUTES[p]) body[p] = Number(raw);
    }
    const checked = validate(EscalationSlaSettings, body);
    if (!checked.ok) for (const field of Object.keys(checked.errors)) problems[field] = RANGE;
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !checked.ok) return;
    save.mutate(checked.data);
  }
  return (
    <section className="card" aria-labelledby="sla-title" data-testid="sla-settings" style={{ marginTop: 16 }}>
      <h2 id="sla-title">Escalation SLAs</h2>
      <p className="hint">
        Minutes your people have to acknowledge a new escalation, by priority. Changes apply to escalations received
        from now on.
      </p>
      <Async query={sla} what="the SLAs">
        {() => (
          <form onSubmit={submit} noValidate>
            <div className="grid">
              {PRIORITIES.map((p) => (
                <Field
                  key={p}
                  label={`${p} acknowledge within (minutes)`}
                  inputMode="numeric"
                  value={values[p]}
                  onChange={(e) => setValues({ ...values, [p]: e.target.value })}
                  error={errors[p]}
                  hint={`Default ${ESCALATION_SLA_MINUTES[p]}`}
                />
              ))}
            </div>
            <FormError message={formError} />
            <div className="row" style={{ flexWrap: 'wrap' }}>
              <Button type="submit" kind="primary" busy={save.isPending}>
                Save SLAs
              </Button>
              <Button busy={save.isPending} onClick={() => save.mutate({})}>
                Restore defaults
              </Button>
            </div>
          </form>
        )}
      </Async>
    </section>
  );
}
