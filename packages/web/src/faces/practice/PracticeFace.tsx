import { Route, Routes } from 'react-router';
import { useSession } from '../../session';
import { ControlsPage } from './Controls';
import { DashboardPage } from './Dashboard';
import { EvidencePage } from './EvidencePage';
import { PracticeExceptionsPage } from './Exceptions';
import { HelpPage } from './Help';
import { BrandedShell } from './shared/Branded';
import { usePractice } from './shared/data';
import { TeamPage } from './Team';
import { TransferPage } from './Transfer';
import { ReportsPage } from '../../ui/ReportsPage';
import { TreeHeadsPage } from '../../ui/TreeHeadsPage';

const NAV = [
  { to: '/practice', label: 'Dashboard' },
  { to: '/practice/controls', label: 'Controls' },
  { to: '/practice/evidence', label: 'Evidence' },
  { to: '/practice/team', label: 'Team' },
  { to: '/practice/exceptions', label: 'Exceptions' },
  { to: '/practice/reports', label: 'Reports' },
  { to: '/practice/transparency', label: 'Transparency log' },
  { to: '/practice/help', label: 'Help' },
] as const;
/** The owner also sees the transfer page (others who type its URL are told it is the owner's). */
const OWNER_NAV = [...NAV.slice(0, 4), { to: '/practice/transfer', label: 'Transfer' }, ...NAV.slice(4)] as const;

/** The practice face: its navigation and pages, in the partner's branding. */
export default function PracticeFace() {
  const { user } = useSession();
  const practice = usePractice(user?.practiceId);
  return (
    <BrandedShell nav={user?.role === 'practice_owner' ? OWNER_NAV : NAV} partnerId={practice.data?.partnerId}>
      <Routes>
        <Route index element={<DashboardPage />} />
        <Route path="controls" element={<ControlsPage />} />
        <Route path="evidence" element={<EvidencePage />} />
        <Route path="team" element={<TeamPage />} />
        <Route path="transfer" element={<TransferPage />} />
        <Route path="exceptions" element={<PracticeExceptionsPage />} />
        <Route path="reports" element={<ReportsPage />} />
        <Route path="transparency" element={<TreeHeadsPage />} />
        <Route path="help" element={<HelpPage />} />
      </Routes>
    </BrandedShell>
  );
}
