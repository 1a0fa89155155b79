import { ExceptionsPage } from '../../ui/ExceptionsPage';
import { useCan } from './common';
import { useStaff } from './Escalations';

/** Every partner's exceptions: operators may ask for one, admins decide. */
export function AdminExceptionsPage() {
  const isAdmin = useCan('admin');
  const people = useStaff(isAdmin);
  return (
    <ExceptionsPage
      canRequest={useCan('operator')}
      canDecide={isAdmin}
      people={people}
      intro="Compliance exceptions across all partners. Platform admins may approve, reject or revoke any of them."
    />
  );
}
