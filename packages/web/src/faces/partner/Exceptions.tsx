import { ExceptionsPage } from '../../ui/ExceptionsPage';
import { usePartner } from './common';
import { usePeople } from './Escalations';

/** Partner staff ask for exceptions for their practices' sites; partner admins decide. */
export function PartnerExceptionsPage() {
  const { isAdmin } = usePartner();
  const people = usePeople();
  return (
    <ExceptionsPage
      canRequest
      canDecide={isAdmin}
      people={people}
      intro="Sites excused from a check or a control for a stated reason, for at most a year. Partner admins approve; approved exceptions reach the appliances, which then neither fail nor heal what they cover."
    />
  );
}
