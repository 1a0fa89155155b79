import { type FormEvent, useState } from 'react';
import { Route, Routes, useSearchParams } from 'react-router';
import { useSession } from '../../session';
import { ExceptionList } from '../../ui/ExceptionParts';
import { Button, Empty, Field, Loading } from '../../ui/kit';
import { BrandedShell } from '../practice/shared/Branded';
import { formatDate, useSites } from '../practice/shared/data';
import { EvidencePage as PracticeEvidence } from '../practice/EvidencePage';
import { EvidenceBrowser } from '../practice/shared/Evidence';
import { SiteResults } from '../practice/shared/Results';
import { ReportsPage } from '../../ui/ReportsPage';
import { TreeHeadsPage } from '../../ui/TreeHeadsPage';
import { AuditorControlsPage } from './Controls';

const NAV = [
  { to: '/auditor', label: 'Results' },
  { to: '/auditor/controls', label: 'Controls' },
  { to: '/auditor/evidence', label: 'Evidence' },
  { to: '/auditor/exceptions', label: 'Exceptions' },
  { to: '/auditor/reports', label: 'Reports' },
  { to: '/auditor/transparency', label: 'Transparency log' },
] as const;

function AccessBanner() {
  const { user } = useSession();
  return (
    <div
      className="card"
      role="note"
      data-testid="access-banner"
      style={{ marginBottom: 16, borderColor: 'var(--brand)' }}
    >
      Read-only auditor access. Your access ends on <strong>{formatDate(user?.accessExpiresAt)}</strong>
      {user?.accessExpiresAt ? ` at ${new Date(user.accessExpiresAt).toLocaleTimeString()}` : ''}.
    </div>
  );
}

/** A small form that puts ids (given by the practice) into the address. */
function OpenForm(props: { fields: { name: string; label: string }[]; submit: string }) {
  const [params, setParams] = useSearchParams();
  const [values, setValues] = useState<Record<string, string>>({});
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams(params);
    for (const f of props.fields) {
      const value = values[f.name]?.trim();
      if (value) next.set(f.name, value);
    }
    setParams(next);
  }
  return (
    <form className="card" onSubmit={onSubmit} style={{ marginTop: 12 }}>
      {props.fields.map((f) => (
        <Field
          key={f.name}
          label={f.label}
          value={values[f.name] ?? ''}
          onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
        />
      ))}
      <Button type="submit" kind="primary">
        {props.submit}
      </Button>
    </form>
  );
}

function ResultsPage() {
  const [params] = useSearchParams();
  const sites = useSites();
  const linked = params.getAll('site');
  if (sites.isLoading) return <Loading what="the practice's sites" />;
  const list = sites.data
    ? sites.data.items.map((s) => ({ id: s.id, name: s.name }))
    : linked.map((id, i) => ({ id, name: `Site ${i + 1}` }));
  return (
    <>
      <h1>Results</h1>
      {list.length > 0 ? (
        <SiteResults sites={list} showTable />
      ) : (
        <>
          <Empty>Open the results link the practice gave you, or enter the site id it gave you.</Empty>
          <OpenForm fields={[{ name: 'site', label: 'Site id' }]} submit="Show results" />
        </>
      )}
    </>
  );
}

function AuditorEvidencePage() {
  const [params] = useSearchParams();
  const sites = useSites();
  const appliance = params.get('appliance');
  const key = params.get('key');
  return (
    <>
      {appliance && key ? <h1>Evidence</h1> : null}
      {appliance && key ? (
        <EvidenceBrowser applianceId={appliance} publicKey={key} />
      ) : sites.data && sites.data.items.length > 0 ? (
        <PracticeEvidence />
      ) : (
        <>
          <Empty>
            Open the evidence link the practice gave you, or enter the appliance id and its public key (ask the
            practice's IT partner to confirm the key independently).
          </Empty>
          <OpenForm
            fields={[
              { name: 'appliance', label: 'Appliance id' },
              { name: 'key', label: 'Appliance public key' },
            ]}
            submit="Show evidence"
          />
        </>
      )}
    </>
  );
}

/** What the practice is excused from, why, and who approved it (read-only). */
function AuditorExceptionsPage() {
  return (
    <>
      <h1>Exceptions</h1>
      <p className="hint">
        Checks the practice is excused from, with the stated reason, who approved each and until when.
      </p>
      <ExceptionList canDecide={false} />
    </>
  );
}

/** The auditor face: read-only results and evidence within the access window. */
export default function AuditorFace() {
  return (
    <BrandedShell nav={NAV} partnerId={null}>
      <AccessBanner />
      <Routes>
        <Route index element={<ResultsPage />} />
        <Route path="controls" element={<AuditorControlsPage />} />
        <Route path="evidence" element={<AuditorEvidencePage />} />
        <Route path="exceptions" element={<AuditorExceptionsPage />} />
        <Route path="reports" element={<ReportsPage />} />
        <Route path="transparency" element={<TreeHeadsPage />} />
      </Routes>
    </BrandedShell>
  );
}
