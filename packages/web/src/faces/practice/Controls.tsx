import { checksForControl, HIPAA_CONTROLS, type LatestResult } from '@osiris/protocol';
import { Empty, ErrorState, Loading, StatusBadge } from '../../ui/kit';
import { Async } from '../../ui/kit';
import { CategoryBars } from '../charts/Charts';
import { checkTitle, useSiteResults, useSites } from './shared/data';

type ControlState = 'passing' | 'failing' | 'no evidence';
const BADGE: Record<ControlState, string> = { passing: 'pass', failing: 'fail', 'no evidence': 'info' };

function Grid({ siteIds }: { siteIds: string[] }) {
  const queries = useSiteResults(siteIds);
  if (queries.some((q) => q.isLoading)) return <Loading what="the latest results" />;
  const failed = queries.find((q) => q.error);
  if (failed)
    return (
      <ErrorState
        error={failed.error}
        retry={() => {
          for (const q of queries) void q.refetch();
        }}
      />
    );
  const results: LatestResult[] = queries.flatMap((q) => q.data?.items ?? []);
  const controls = HIPAA_CONTROLS.map((control) => {
    const checkIds = new Set(checksForControl(control.id).map((c) => c.id));
    const mine = results.filter((r) => checkIds.has(r.checkId));
    const pass = mine.filter((r) => r.status === 'pass').length;
    const fail = mine.filter((r) => r.status === 'fail').length;
    const state: ControlState = fail > 0 ? 'failing' : pass > 0 ? 'passing' : 'no evidence';
    return { control, mine, pass, fail, state };
  });
  const inState = (state: ControlState) => controls.filter((c) => c.state === state).length;
  return (
    <>
      <CategoryBars
        title="Controls by state"
        testId="chart-controls"
        slices={[
          { label: 'passing', value: inState('passing'), tone: 'ok' },
          { label: 'failing', value: inState('failing'), tone: 'bad' },
          { label: 'no evidence', value: inState('no evidence'), tone: 'ink-2' },
        ]}
      />
      <div className="grid" data-testid="controls">
        {controls.map(({ control, mine, pass, fail, state }) => {
          return (
            <section
              key={control.id}
              className="card"
              data-testid={`control-${control.id}`}
              data-state={state}
              aria-label={`${control.id} ${control.title}: ${state}`}
            >
              <div className="row">
                <strong>{control.id}</strong>
                <span className="spacer" />
                <StatusBadge value={BADGE[state]} />
              </div>
              <div>{control.title}</div>
              <div className="hint">
                {control.standardTitle} · {control.safeguard} · {control.requirement}
              </div>
              <p style={{ marginBottom: 0 }}>
                <span data-testid="control-state">{state}</span>: {pass} passing, {fail} failing
              </p>
              {fail > 0 ? (
                <ul className="hint">
                  {[...new Set(mine.filter((r) => r.status === 'fail').map((r) => r.checkId))].map((id) => (
                    <li key={id}>{checkTitle(id)}</li>
                  ))}
                </ul>
              ) : null}
            </section>
          );
        })}
      </div>
    </>
  );
}

export function ControlsPage() {
  const sites = useSites();
  return (
    <>
      <h1>HIPAA controls</h1>
      <p className="hint">
        Each HIPAA Security Rule control our checks evidence, from the latest result of its checks on every site:
        failing if any of them fails, passing if they pass, no evidence if none of them has run.
      </p>
      <Async query={sites} what="your sites">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>There are no sites yet.</Empty>
          ) : (
            <Grid siteIds={data.items.map((s) => s.id)} />
          )
        }
      </Async>
    </>
  );
}
