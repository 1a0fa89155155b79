import { useSession } from '../../session';
import { ScopeScores } from '../../ui/ComplianceParts';
import { Async } from '../../ui/kit';
import { ScoreHistoryChart } from '../charts/ScoreHistory';
import { usePractice, useSites } from './shared/data';
import { SiteResults } from './shared/Results';

/** The practice's score per framework, its history, and the latest check results of every site. */
export function DashboardPage() {
  const { user } = useSession();
  const practice = usePractice(user?.practiceId);
  const sites = useSites();
  return (
    <>
      <h1>{practice.data ? `${practice.data.name}: compliance` : 'Compliance'}</h1>
      <section aria-labelledby="framework-scores" data-testid="framework-scores">
        <h2 id="framework-scores">Score per framework</h2>
        <ScopeScores
          scope="practices"
          id={user?.practiceId}
          empty="Your IT partner has not chosen frameworks for your sites yet."
        />
      </section>
      <ScoreHistoryChart scope="practices" id={user?.practiceId} />
      <h2>Latest check results</h2>
      <Async query={sites} what="your sites">
        {(data) => <SiteResults sites={data.items.map((s) => ({ id: s.id, name: s.name }))} showChart />}
      </Async>
    </>
  );
}
