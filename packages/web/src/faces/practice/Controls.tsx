import { useSession } from '../../session';
import { ControlsGrid } from '../../ui/ControlsGrid';
import { Empty } from '../../ui/kit';

/** Who in the practice may attest a manual control (central allows practice admins and the owner). */
const ATTESTERS = new Set(['practice_owner', 'practice_admin']);

export function ControlsPage() {
  const { user } = useSession();
  return (
    <>
      <h1>Controls</h1>
      <p className="hint">
        Every control of the frameworks your sites follow, from the latest results of the checks that evidence it.
        Manual controls (policies, training, contracts) count once someone attests them with a document.
      </p>
      {user?.practiceId ? (
        <ControlsGrid practiceId={user.practiceId} canAttest={ATTESTERS.has(user.role)} />
      ) : (
        <Empty>This account belongs to no practice.</Empty>
      )}
    </>
  );
}
