import { Route, Routes } from 'react-router';
import { useSession } from '../../session';
import { ControlsPage } from './Controls';
import { DashboardPage } from './Dashboard';
import { EvidencePage } from './EvidencePage';
import { HelpPage } from './Help';
import { BrandedShell } from './shared/Branded';
import { usePractice } from './shared/data';
import { TeamPage } from './Team';

const NAV = [
  { to: '/practice', label: 'Dashboard' },
  { to: '/practice/controls', label: 'HIPAA controls' },
  { to: '/practice/evidence', label: 'Evidence' },
  { to: '/practice/team', label: 'Team' },
  { to: '/practice/help', label: 'Help' },
] as const;

/** The practice face: its navigation and pages, in the partner's branding. */
export default function PracticeFace() {
  const { user } = useSession();
  const practice = usePractice(user?.practiceId);
  return (
    <BrandedShell nav={NAV} partnerId={practice.data?.partnerId}>
      <Routes>
        <Route index element={<DashboardPage />} />
        <Route path="controls" element={<ControlsPage />} />
        <Route path="evidence" element={<EvidencePage />} />
        <Route path="team" element={<TeamPage />} />
        <Route path="help" element={<HelpPage />} />
      </Routes>
    </BrandedShell>
  );
}
