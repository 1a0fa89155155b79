import { NotificationsPanel } from '../../ui/NotificationsPanel';
import { usePartner } from './common';

/** The partner's notification channels and rules (partner admins only, like the other admin pages). */
export function NotificationsPage() {
  const { isAdmin } = usePartner();
  return <NotificationsPanel partnerId={null} canManage={isAdmin} />;
}
