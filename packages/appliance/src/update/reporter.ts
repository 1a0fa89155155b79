import { UpdateStatusReport } from '@osiris/protocol';
import { z } from 'zod';
import type { Logger } from '../log';
import type { Store } from '../store';
import { createBackoff } from '../sync/backoff';
import { CentralError, type FetchImpl, postJson } from '../sync/central-client';
import { createWaiter } from '../daemon/sleep';
import { changeState, readState, type UpdatePaths } from './state';

const QUEUE_KEY = 'update.reportQueue';
const MAX_QUEUED = 200;

/**
 * Update status reports (UpdateStatusReport) queued in the appliance's store and sent to central
 * in order until it accepts each one; they survive restarts and outages. Central treats repeats
 * as no-ops, so a report sent twice (a crash between sending and dequeuing) is harmless.
 */
export function createUpdateReporter(deps: { store: Store; log: Logger; fetchImpl?: FetchImpl }) {
  const { store, log } = deps;
  const fetchImpl = deps.fetchImpl ?? fetch;
  const waiter = createWaiter();
  const read = (): UpdateStatusReport[] => {
    const text = store.settings.get(QUEUE_KEY);
    try {
      return z.array(UpdateStatusReport).parse(text === null ? [] : JSON.parse(text));
    } catch {
      log.error('the update report queue was unreadable; emptied');
      return [];
    }
  };
  const save = (queue: UpdateStatusReport[]) => store.settings.set(QUEUE_KEY, JSON.stringify(queue.slice(-MAX_QUEUED)));

  let flushing: Promise<boolean> | null = null;
  const sendQueued = async (): Promise<boolean> => {
    for (;;) {
      const [next] = read();
      if (!next) return true;
      const registration = store.registration.get();
      if (!registration) return false;
      try {
        await postJson(fetchImpl, `${registration.centralUrl}/v1/appliance/update-status`, next, z.unknown(), {
          token: registration.token,
          describeStatus: () => null,
        });
      } catch (error) {
        // Central read it and says it can never accept it (invalid, or no such rollout for this
        // appliance): drop it rather than block the queue behind it.
        const status = error instanceof CentralError ? error.status : null;
        if (status !== 400 && status !== 404 && status !== 422) throw error;
        log.warn('central refused an update status report; dropped', { reason: (error as Error).message });
      }
      const [, ...rest] = read();
      save(rest);
    }
  };

  const reporter = {
    queued: read,
    enqueue(report: UpdateStatusReport): void {
      save([...read(), UpdateStatusReport.parse(report)]);
      log.info('update status', {
        rolloutId: report.rolloutId,
        version: report.version,
        state: report.state,
        errorCode: report.errorCode,
      });
      waiter.wake();
    },
    /**
     * Moves reports written into the state file's outbox (by the supervisor, or together with a
     * state change) into this queue. Enqueued first, then removed from the file: a crash between
     * the two sends one twice, which central ignores.
     */
    takeOutbox(paths: UpdatePaths): void {
      try {
        const current = readState(paths);
        if (!current || current.outbox.length === 0) return;
        for (const report of current.outbox) reporter.enqueue(report);
        changeState(paths, (s) => ({ ...s, outbox: s.outbox.slice(current.outbox.length) }));
      } catch (error) {
        log.error('cannot read the updater outbox', { reason: (error as Error).message });
      }
    },
    /**
     * Sends what is queued, oldest first; true when the queue is empty afterwards. Throws on a
     * failed send. One flush at a time: a caller during a flush gets that flush's promise, and the
     * loop (woken by each enqueue) sends what came meanwhile.
     */
    flush(): Promise<boolean> {
      flushing ??= sendQueued().finally(() => {
        flushing = null;
      });
      return flushing;
    },
    /** Flushes now and again after failures (backoff up to `maxDelayMs`) until `signal` aborts. */
    async loop(signal: AbortSignal, maxDelayMs = 300_000): Promise<void> {
      const backoff = createBackoff({ initialMs: 1000, maxMs: maxDelayMs });
      while (!signal.aborted) {
        let delay = 60_000;
        try {
          await reporter.flush();
          backoff.succeed();
        } catch (error) {
          delay = backoff.fail();
          log.warn('update status not sent; will retry', {
            reason: (error as Error).message,
            retryInMs: Math.round(delay),
          });
        }
        await waiter.wait(delay, signal);
      }
    },
  };
  return reporter;
}
export type UpdateReporter = ReturnType<typeof createUpdateReporter>;
