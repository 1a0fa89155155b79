import type { ApplianceConfig } from '../config';
import type { IdentityKey } from '../identity/identity-key';
import type { Logger } from '../log';
import type { Registration, Store } from '../store';
import { createBackoff } from '../sync/backoff';
import { CentralError, type FetchImpl } from '../sync/central-client';
import { register } from '../sync/register';
import { createWaiter } from './sleep';

export /** Waits for registration with the provision code, retrying while central cannot be reached. */
async function ensureRegistered(
  config: ApplianceConfig,
  store: Store,
  key: IdentityKey,
  fetchImpl: FetchImpl,
  log: Logger,
  signal: AbortSignal,
): Promise<Registration | null> {
  const existing = store.registration.get();
  if (existing) return existing;
  if (!config.provisionCode)
    throw new CentralError(
      'NOT_REGISTERED',
      'This appliance is not registered: run `osiris-appliance register --code …` or set provisionCode in the config',
    );
  const backoff = createBackoff({ initialMs: 1000, maxMs: 60_000 });
  const waiter = createWaiter();
  while (!signal.aborted) {
    try {
      const registration = await register(config, store, key, fetchImpl);
      log.info('registered with central', { applianceId: registration.applianceId, siteId: registration.siteId });
      return registration;
    } catch (error) {
      if (!(error instanceof CentralError) || error.code !== 'NETWORK') throw error;
      const delay = backoff.fail();
      log.warn('central is not reachable for registration; retrying', {
        reason: error.message,
        retryInMs: Math.round(delay),
      });
      await waiter.wait(delay, signal);
    }
  }
  return null;
}
