import type { FrameworkId, SiteFrameworks } from '@osiris/protocol';
import { useState } from 'react';
import { ControlBreakdown, FormulaHelp, FrameworkPicker, ScoreCards, StatusLegend } from './ComplianceParts';
import { frameworkName, presetName, useComplianceScore, useSiteFrameworks, useSiteHosts } from './compliance-data';
import { Async, Button, messageOf, Select, useToast } from './kit';

const SOURCE_TEXT: Record<SiteFrameworks['source'], string> = {
  site: 'chosen for this site',
  partner: "the partner's default for its sites",
  platform: 'the platform default (healthcare), as the partner has not chosen a default',
};

/** Which frameworks the site follows, where that comes from, and (for partner admins and operators) a way to change it. */
function SiteFrameworkChoice({ siteId, canEdit }: { siteId: string; canEdit: boolean }) {
  const toast = useToast();
  const { selection, save } = useSiteFrameworks(siteId);
  return (
    <Async query={selection} what="the site's frameworks">
      {(s) => (
        <>
          <p data-testid="framework-source-line">
            {presetName(s.preset)}: {s.frameworks.map(frameworkName).join(', ')} — source:{' '}
            <strong data-testid="framework-source">{s.source}</strong> ({SOURCE_TEXT[s.source]}).
          </p>
          <FrameworkPicker
            key={`${s.source}:${s.preset}:${s.frameworks.join(',')}`}
            value={s}
            canEdit={canEdit}
            busy={save.isPending && save.variables !== null}
            error={save.error ? messageOf(save.error) : null}
            onSave={(body) => save.mutate(body, { onSuccess: () => toast('Frameworks saved') })}
            extra={
              s.source === 'site' ? (
                <Button
                  testId="use-partner-default"
                  busy={save.isPending && save.variables === null}
                  onClick={() =>
                    save.mutate(null, { onSuccess: () => toast("The site follows the partner's default") })
                  }
                >
                  Use partner default
                </Button>
              ) : null
            }
          />
        </>
      )}
    </Async>
  );
}

/** Scores of the site (or one host) with the breakdown of one framework at a time. */
function SiteScores({ siteId }: { siteId: string }) {
  const hosts = useSiteHosts(siteId);
  const [hostId, setHostId] = useState('');
  const [shown, setShown] = useState<FrameworkId | ''>('');
  const score = useComplianceScore('sites', siteId, { hostId: hostId || undefined });
  return (
    <>
      <div className="row" style={{ flexWrap: 'wrap', alignItems: 'flex-end' }}>
        <Select
          label="Computers"
          value={hostId}
          onChange={setHostId}
          testId="host-filter"
          options={[
            { value: '', label: 'Whole site' },
            ...(hosts.data ?? []).map((h) => ({ value: h.id, label: h.name })),
          ]}
        />
      </div>
      {hostId ? (
        <p className="hint">One computer's score leaves manual controls out (they belong to the practice).</p>
      ) : null}
      <Async query={score} what="the scores">
        {(data) => {
          const current = data.frameworks.find((f) => f.framework === shown) ?? data.frameworks[0];
          return (
            <>
              <ScoreCards frameworks={data.frameworks} />
              <FormulaHelp formula={data.formula} />
              {current ? (
                <>
                  <Select
                    label="Controls of"
                    value={current.framework}
                    onChange={(v) => setShown(v as FrameworkId)}
                    testId="breakdown-framework"
                    options={data.frameworks.map((f) => ({ value: f.framework, label: frameworkName(f.framework) }))}
                  />
                  <StatusLegend />
                  <ControlBreakdown framework={current} />
                </>
              ) : null}
            </>
          );
        }}
      </Async>
    </>
  );
}

/** The "Compliance" section of a site page (admin and partner faces). */
export function SiteCompliance({ siteId, canEdit }: { siteId: string; canEdit: boolean }) {
  return (
    <section className="card" aria-labelledby="site-compliance" data-testid="site-compliance">
      <h2 id="site-compliance" style={{ marginTop: 0 }}>
        Compliance
      </h2>
      <h3>Frameworks</h3>
      <SiteFrameworkChoice siteId={siteId} canEdit={canEdit} />
      <h3>Scores</h3>
      <SiteScores siteId={siteId} />
    </section>
  );
}
