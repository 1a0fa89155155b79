import { Partner, PartnerBranding } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { Link, Route, Routes } from 'react-router';
import { api } from '../../api';
import { Shell } from '../../ui/Shell';
import { ApiKeysPage } from './ApiKeys';
import { BrandingPage } from './Branding';
import { CompliancePage } from './Compliance';
import { AdminOnly, brandingKey, usePartner } from './common';
import { Dashboard } from './Dashboard';
import { EscalationDetail, EscalationsPage } from './Escalations';
import { PartnerExceptionsPage } from './Exceptions';
import { NotificationsPage } from './Notifications';
import { PacketsPage } from './Packets';
import { TreeHeadsPage } from '../../ui/TreeHeadsPage';
import { PeoplePage } from './People';
import { PracticeDetail, PracticesPage } from './Practices';
import { SiteDetail, SitesPage } from './Sites';

const NAV_ALL = [
  { to: '/partner', label: 'Dashboard' },
  { to: '/partner/practices', label: 'Practices' },
  { to: '/partner/sites', label: 'Sites' },
  { to: '/partner/escalations', label: 'Escalations' },
  { to: '/partner/exceptions', label: 'Exceptions' },
  { to: '/partner/packets', label: 'Packets' },
  { to: '/partner/transparency', label: 'Transparency log' },
] as const;
const NAV_ADMIN = [
  { to: '/partner/people', label: 'People' },
  { to: '/partner/api-keys', label: 'API keys' },
  { to: '/partner/branding', label: 'Branding' },
  { to: '/partner/notifications', label: 'Notifications' },
  { to: '/partner/compliance', label: 'Compliance' },
] as const;

/** The partner face: its navigation (admin pages hidden from technicians), brand and pages. */
export default function PartnerFace() {
  const { partnerId, isAdmin } = usePartner();
  const partner = useQuery({
    queryKey: ['partner', partnerId],
    queryFn: () => api(Partner, 'GET', `/v1/partners/${partnerId}`),
  });
  const branding = useQuery({
    queryKey: brandingKey(partnerId),
    queryFn: () => api(PartnerBranding, 'GET', `/v1/partners/${partnerId}/branding`),
  });
  const name = branding.data?.brandName ?? partner.data?.name ?? 'OsirisCare';
  const nav = isAdmin ? [...NAV_ALL, ...NAV_ADMIN] : NAV_ALL;
  return (
    <Shell nav={nav} brand={{ name, logoUrl: branding.data?.logoUrl ?? null }}>
      {partner.data && partner.data.status !== 'active' ? (
        <p className="state error" role="status" data-testid="partner-status">
          Your organisation is {partner.data.status}.
        </p>
      ) : null}
      <Routes>
        <Route index element={<Dashboard />} />
        <Route path="practices" element={<PracticesPage />} />
        <Route path="practices/:id" element={<PracticeDetail />} />
        <Route path="sites" element={<SitesPage />} />
        <Route path="sites/:id" element={<SiteDetail />} />
        <Route path="escalations" element={<EscalationsPage />} />
        <Route path="escalations/:id" element={<EscalationDetail />} />
        <Route path="exceptions" element={<PartnerExceptionsPage />} />
        <Route path="packets" element={<PacketsPage />} />
        <Route path="transparency" element={<TreeHeadsPage />} />
        <Route
          path="people"
          element={
            <AdminOnly what="people">
              <PeoplePage />
            </AdminOnly>
          }
        />
        <Route
          path="api-keys"
          element={
            <AdminOnly what="API keys">
              <ApiKeysPage />
            </AdminOnly>
          }
        />
        <Route
          path="notifications"
          element={
            <AdminOnly what="notifications">
              <NotificationsPage />
            </AdminOnly>
          }
        />
        <Route
          path="compliance"
          element={
            <AdminOnly what="compliance defaults">
              <CompliancePage />
            </AdminOnly>
          }
        />
        <Route
          path="branding"
          element={
            <AdminOnly what="branding">
              <BrandingPage />
            </AdminOnly>
          }
        />
        <Route
          path="*"
          element={
            <div className="state" data-testid="not-found">
              <h1>Page not found</h1>
              <Link to="/partner">Back to the dashboard</Link>
            </div>
          }
        />
      </Routes>
    </Shell>
  );
}
