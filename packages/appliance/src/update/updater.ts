import type { InstallReleasePayload } from '@osiris/protocol';
import type { ApplianceConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { FetchImpl } from '../sync/central-client';
import type { ApplyOutcome } from '../sync/orders';
import { APPLIANCE_VERSION } from '../version';
import { createHealthGate } from './health-gate';
import { createInstaller } from './installer';
import { createUpdateReporter } from './reporter';
import { EXIT_HEALTH_GATE_FAILED, EXIT_RESTART_INTO_PENDING, Slot, updatePaths } from './state';

/** What the supervisor told the daemon (environment), and how the daemon stops with an exit code. */
export interface SupervisedBy {
  slot: string | null;
  root: string | null;
  requestExit: (exitCode: number, reason: string) => void;
}

/**
 * The daemon's side of self-update, in one object so the daemon wires it with a few lines: the
 * `install_release` handler, the health gate of a version on trial, and the report queue.
 */
export function createUpdater(deps: {
  config: ApplianceConfig;
  store: Store;
  log: Logger;
  fetchImpl?: FetchImpl;
  /** The slot this daemon was started from (the supervisor says so), and how to stop with an exit code. */
  supervised?: SupervisedBy | undefined;
}) {
  const { config, store, log } = deps;
  const paths = updatePaths(deps.supervised?.root ?? config.update.root);
  const reporter = createUpdateReporter({ store, log, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) });
  const requestExit =
    deps.supervised?.requestExit ??
    ((code: number, reason: string) => log.warn('exit requested but not supervised', { code, reason }));
  const slot = Slot.safeParse(deps.supervised?.slot).data ?? null;
  const gate = createHealthGate({
    paths,
    slot,
    timeoutMs: config.update.healthGateTimeoutSeconds * 1000,
    startedAt: Date.now() - process.uptime() * 1000,
    log,
    reporter,
    onFail: (reason) => requestExit(EXIT_HEALTH_GATE_FAILED, reason),
  });
  const installer = createInstaller({
    store,
    paths,
    releasePublicKeys: config.update.releasePublicKeys,
    runningVersion: APPLIANCE_VERSION,
    runningSlot: slot,
    reporter,
    log,
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    downloadAttempts: config.update.downloadAttempts,
    requestRestart: () => requestExit(EXIT_RESTART_INTO_PENDING, 'a new release is installed'),
  });
  installer.recoverInterrupted();
  gate.drainOutbox();
  gate.note('store');
  return {
    install: (payload: InstallReleasePayload): Promise<ApplyOutcome> => installer.start(payload),
    noteCheckin: () => gate.note('checkin'),
    noteCheckRan: () => gate.note('checks'),
    loop: (signal: AbortSignal) => reporter.loop(signal, config.update.reportRetryMaxSeconds * 1000),
    async stop(): Promise<void> {
      gate.stop();
      await installer.stop();
    },
  };
}
