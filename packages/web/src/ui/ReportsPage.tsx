import { useSession } from '../session';
import { AuditorExportCard } from './AuditorExportCard';
import { ExportVerifyCard } from './ExportVerifyCard';
import { Empty } from './kit';
import { PacketsPanel } from './PacketsPanel';

/**
 * Reports of the signed-in practice person's or auditor's practice: the monthly packets (made on
 * demand by practice owners and admins) and the auditor export with its in-browser verifier.
 */
export function ReportsPage() {
  const { user } = useSession();
  const practiceId = user?.practiceId;
  if (!practiceId) return <Empty>Your account is not tied to a practice.</Empty>;
  const canMake = user.role === 'practice_owner' || user.role === 'practice_admin';
  return (
    <>
      <h1>Reports</h1>
      <PacketsPanel practiceId={practiceId} canMake={canMake} />
      <AuditorExportCard practiceId={practiceId} />
      <ExportVerifyCard />
    </>
  );
}
