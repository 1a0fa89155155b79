import { FrameworkPicker, ScopeScores } from '../../ui/ComplianceParts';
import { frameworkName, presetName, usePartnerDefaults } from '../../ui/compliance-data';
import { Async, messageOf, useToast } from '../../ui/kit';
import { ScoreHistoryChart } from '../charts/ScoreHistory';
import { usePartner } from './common';

/** The frameworks new sites follow until they choose, set by a partner admin. */
function Defaults({ partnerId }: { partnerId: string }) {
  const toast = useToast();
  const { defaults, save } = usePartnerDefaults(partnerId);
  return (
    <section className="card" aria-labelledby="defaults-title" data-testid="compliance-defaults">
      <h2 id="defaults-title" style={{ marginTop: 0 }}>
        Default frameworks for sites
      </h2>
      <Async query={defaults} what="the default frameworks">
        {(d) => (
          <>
            <p data-testid="defaults-line">
              {d.isSet ? 'Your default' : 'Not chosen yet: sites follow the platform default'}:{' '}
              <strong>{presetName(d.preset)}</strong> ({d.frameworks.map(frameworkName).join(', ')}). Sites that have
              not chosen their own frameworks follow it.
            </p>
            <FrameworkPicker
              key={`${d.isSet}:${d.preset}:${d.frameworks.join(',')}`}
              value={d}
              canEdit
              busy={save.isPending}
              error={save.error ? messageOf(save.error) : null}
              saveLabel="Save default"
              onSave={(body) => save.mutate(body, { onSuccess: () => toast('Default frameworks saved') })}
            />
          </>
        )}
      </Async>
    </section>
  );
}

/** Partner-wide compliance: the default frameworks, the score per framework and its history. */
export function CompliancePage() {
  const { partnerId } = usePartner();
  return (
    <>
      <h1>Compliance</h1>
      <Defaults partnerId={partnerId} />
      <section aria-labelledby="partner-scores" data-testid="partner-scores">
        <h2 id="partner-scores">Score per framework</h2>
        <p className="hint">The mean of your practices' scores (practices without a score are left out).</p>
        <ScopeScores scope="partners" id={partnerId} empty="No practice has a score yet." />
      </section>
      <ScoreHistoryChart scope="partners" id={partnerId} />
    </>
  );
}
