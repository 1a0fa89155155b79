import { useSession } from '../../session';
import { ExceptionsPage } from '../../ui/ExceptionsPage';

/** The practice's exceptions: the owner may ask for one; everyone sees them. */
export function PracticeExceptionsPage() {
  const { user } = useSession();
  return (
    <ExceptionsPage
      canRequest={user?.role === 'practice_owner'}
      canDecide={false}
      intro="Checks your sites are excused from, why, and until when. Your IT partner approves requests; auditors see them too."
    />
  );
}
