import { type ApplianceEscalationRequest, Escalation } from '@osiris/protocol';
import type { Logger } from '../log';
import type { Store } from '../store';
import { createBackoff } from './backoff';
import { CentralError, type FetchImpl, postJson } from './central-client';

/** The urgent queue retries fast: 1 s doubling to 64 s, with full jitter. */
const INITIAL_MS = 1_000;
const MAX_MS = 64_000;

/**
 * L3 on the appliance: escalations are queued in SQLite first, then sent to central until it has
 * them. A refusal that can never succeed (400: the appliance built something invalid) is kept with
 * its error for the status page rather than retried forever in a tight loop; it backs off like the rest.
 */
export function createEscalationSender(deps: {
  store: Store;
  log: Logger;
  fetchImpl?: FetchImpl;
  random?: () => number;
}) {
  const { store, log } = deps;
  const backoff = createBackoff({ initialMs: INITIAL_MS, maxMs: MAX_MS, random: deps.random });

  /** Sends what is queued, oldest first; returns the wait before the next attempt (0 when the queue is empty). */
  async function flush(): Promise<number> {
    const registration = store.registration.get();
    if (!registration) return 0;
    for (const { request } of store.escalationQueue.pending()) {
      try {
        await postJson(
          deps.fetchImpl ?? fetch,
          `${registration.centralUrl}/v1/appliance/escalations`,
          request,
          Escalation,
          {
            token: registration.token,
            describeStatus: () => null,
          },
        );
        store.escalationQueue.sent(request.id);
        backoff.succeed();
        log.info('escalation delivered', {
          escalationId: request.id,
          checkId: request.checkId,
          priority: request.priority,
        });
      } catch (error) {
        const message = (error as Error).message;
        store.escalationQueue.attemptFailed(request.id, message);
        const delay = backoff.fail();
        log.warn('escalation not delivered; will retry', {
          escalationId: request.id,
          status: error instanceof CentralError ? error.status : null,
          reason: message,
          retryInMs: Math.round(delay),
        });
        return delay;
      }
    }
    return 0;
  }

  return {
    /** Queues an escalation (stored before anything is sent). */
    escalate(request: ApplianceEscalationRequest): void {
      store.escalationQueue.enqueue(request);
    },
    flush,
  };
}
