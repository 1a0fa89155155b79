import { useSession } from '../../session';
import { Async } from '../../ui/kit';
import { ScoreTrend } from '../charts/Fleet';
import { usePractice, useSites } from './shared/data';
import { SiteResults } from './shared/Results';

export function DashboardPage() {
  const { user } = useSession();
  const practice = usePractice(user?.practiceId);
  const sites = useSites();
  return (
    <>
      <h1>{practice.data ? `${practice.data.name}: compliance` : 'Compliance'}</h1>
      <Async query={sites} what="your sites">
        {(data) => <SiteResults sites={data.items.map((s) => ({ id: s.id, name: s.name }))} showChart />}
      </Async>
      <ScoreTrend practiceId={user?.practiceId} />
    </>
  );
}
