import { NotificationsPanel } from '../../ui/NotificationsPanel';
import { useCan } from './common';

/** The platform's own notification channels and rules; platform admins change them. */
export function NotificationsPage() {
  const canManage = useCan('admin');
  return <NotificationsPanel partnerId={null} canManage={canManage} />;
}
