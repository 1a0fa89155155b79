import { SitePage } from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../api';
import type { Assignee } from './EscalationParts';
import { ExceptionList } from './ExceptionParts';
import { ExceptionRequestForm } from './ExceptionRequestForm';
import { Button } from './kit';

/** The sites within the caller's reach, for the exception pickers and filters. */
function useSiteOptions(enabled = true) {
  const sites = useQuery({
    queryKey: ['exceptions', 'sites'],
    queryFn: () => api(SitePage, 'GET', `/v1/sites${query({ limit: 200 })}`),
    enabled,
    retry: false,
  });
  return sites.data?.items.map((s) => ({ id: s.id, name: s.name }));
}

/**
 * The exceptions page of a face: an intro, the request form (for those who may ask) behind a
 * button, and the list (with decisions for those who may decide).
 */
export function ExceptionsPage(props: {
  canRequest: boolean;
  canDecide: boolean;
  intro: string;
  people?: readonly Assignee[] | undefined;
}) {
  const sites = useSiteOptions();
  const [asking, setAsking] = useState(false);
  return (
    <section aria-labelledby="exceptions-title">
      <h1 id="exceptions-title">Exceptions</h1>
      <p className="hint">{props.intro}</p>
      {props.canRequest ? (
        asking && sites ? (
          <>
            <ExceptionRequestForm sites={sites} onDone={() => setAsking(false)} />
            <Button onClick={() => setAsking(false)}>Close the form</Button>
          </>
        ) : (
          <Button kind="primary" onClick={() => setAsking(true)} disabled={!sites}>
            Request an exception
          </Button>
        )
      ) : null}
      <ExceptionList sites={sites} canDecide={props.canDecide} people={props.people} />
    </section>
  );
}
