import { Route, Routes } from 'react-router';
import { Shell } from '../../ui/Shell';
import { AuditPage } from './Audit';
import { Denied, useCan } from './common';
import { EscalationDetail, EscalationsPage } from './Escalations';
import { AdminExceptionsPage } from './Exceptions';
import { LearningPage } from './Learning';
import { NotificationsPage } from './Notifications';
import { OverviewPage } from './Overview';
import { PartnerDetail, PartnersPage } from './Partners';
import { PracticesPage } from './Practices';
import { SiteDetail } from './SiteDetail';
import { SitesPage } from './Sites';
import { TransfersPage } from './Transfers';
import { UsersPage } from './Users';
import { ReleasesPage } from './fleet/Releases';
import { RolloutDetail } from './fleet/RolloutDetail';
import { RolloutsPage } from './fleet/Rollouts';
import { TreeHeadsPage } from '../../ui/TreeHeadsPage';

const NAV = [
  { to: '/admin', label: 'Overview' },
  { to: '/admin/partners', label: 'Partners' },
  { to: '/admin/practices', label: 'Practices' },
  { to: '/admin/sites', label: 'Sites' },
  { to: '/admin/escalations', label: 'Escalations' },
  { to: '/admin/exceptions', label: 'Exceptions' },
  { to: '/admin/learning', label: 'Learning' },
  { to: '/admin/transfers', label: 'Transfers' },
  { to: '/admin/notifications', label: 'Notifications' },
  { to: '/admin/transparency', label: 'Transparency log' },
  { to: '/admin/releases', label: 'Releases' },
  { to: '/admin/rollouts', label: 'Rollouts' },
] as const;
const ADMIN_NAV = [
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/audit', label: 'Audit log' },
] as const;

/** The admin face: its navigation and pages. Users and the audit log are for admins only. */
export default function AdminFace() {
  const isAdmin = useCan('admin');
  return (
    <Shell nav={isAdmin ? [...NAV, ...ADMIN_NAV] : NAV}>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="partners" element={<PartnersPage />} />
        <Route path="partners/:id" element={<PartnerDetail />} />
        <Route path="practices" element={<PracticesPage />} />
        <Route path="sites" element={<SitesPage />} />
        <Route path="sites/:id" element={<SiteDetail />} />
        <Route path="escalations" element={<EscalationsPage />} />
        <Route path="escalations/:id" element={<EscalationDetail />} />
        <Route path="exceptions" element={<AdminExceptionsPage />} />
        <Route path="learning" element={<LearningPage />} />
        <Route path="transfers" element={<TransfersPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="transparency" element={<TreeHeadsPage />} />
        <Route path="users" element={isAdmin ? <UsersPage /> : <Denied />} />
        <Route path="audit" element={isAdmin ? <AuditPage /> : <Denied />} />
        <Route path="releases" element={<ReleasesPage />} />
        <Route path="rollouts" element={<RolloutsPage />} />
        <Route path="rollouts/:id" element={<RolloutDetail />} />
        <Route
          path="*"
          element={
            <div className="state" data-testid="not-found">
              <h1>Page not found</h1>
              <a href="/admin">Back to the overview</a>
            </div>
          }
        />
      </Routes>
    </Shell>
  );
}
