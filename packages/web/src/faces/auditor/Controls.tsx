import { useSession } from '../../session';
import { ControlsGrid } from '../../ui/ControlsGrid';
import { Empty } from '../../ui/kit';

/** The practice's framework scores and controls, with attestations and their documents (read-only). */
export function AuditorControlsPage() {
  const { user } = useSession();
  return (
    <>
      <h1>Controls</h1>
      <p className="hint">
        The practice's score per framework and the status of every control. Manual controls show the practice's
        attestation and its document.
      </p>
      {user?.practiceId ? (
        <ControlsGrid practiceId={user.practiceId} canAttest={false} />
      ) : (
        <Empty>This auditor account belongs to no practice.</Empty>
      )}
    </>
  );
}
