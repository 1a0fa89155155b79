import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareVersions,
  type InstallReleasePayload,
  type ReleaseManifest,
  type UpdateErrorCode,
  type UpdateStatusReport,
  verifyReleaseManifest,
} from '@osiris/protocol';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { FetchImpl } from '../sync/central-client';
import type { ApplyOutcome } from '../sync/orders';
import { downloadArtifact } from './download';
import type { UpdateReporter } from './reporter';
import { changeState, otherSlot, readState, type Slot, type UpdatePaths } from './state';
import { extractTarGz, type FileWriter } from './tar';
import { isDiskFull, UpdateFailure } from './update-failure';

const IN_PROGRESS_KEY = 'update.inProgress';

/** Points an install passes; tests stop a process at one of them to crash it there. */
export type InstallStep = 'verified' | 'downloaded' | 'extracting' | 'extracted' | 'recorded';

export interface InstallerDeps {
  store: Store;
  paths: UpdatePaths;
  releasePublicKeys: readonly string[];
  runningVersion: string;
  /** The slot the supervisor started this daemon from; null = not supervised (installs are refused). */
  runningSlot: Slot | null;
  reporter: UpdateReporter;
  log: Logger;
  fetchImpl?: FetchImpl;
  downloadAttempts?: number;
  retryDelayMs?: number;
  /** Called once the new version is installed and recorded as pending: stop cleanly so the supervisor starts it. */
  requestRestart: () => void;
  writer?: FileWriter;
  onStep?: (step: InstallStep) => void | Promise<void>;
}

type InProgress = { rolloutId: string; version: string; fromVersion: string };

/**
 * The `install_release` order: checks the signed manifest against the pinned release keys and the
 * running version, then (in the background, so check-ins go on) downloads with resume, checks size
 * and SHA-256, unpacks into the inactive slot, checks the unpacked tree, records the slot as pending
 * and asks for a restart. Every transition is reported through the durable queue.
 */
export function createInstaller(deps: InstallerDeps) {
  const { store, paths, log, reporter } = deps;
  const abort = new AbortController();
  let running: Promise<void> | null = null;

  const report = (
    target: InProgress,
    state: UpdateStatusReport['state'],
    errorCode: UpdateErrorCode | null = null,
    message: string | null = null,
    bytesDownloaded: number | null = null,
  ) => reporter.enqueue(statusReport(target, state, errorCode, message, bytesDownloaded));

  async function start(payload: InstallReleasePayload): Promise<ApplyOutcome> {
    const target: InProgress = {
      rolloutId: payload.rolloutId,
      version: payload.release.manifest.version,
      fromVersion: deps.runningVersion,
    };
    const refuse = (code: UpdateErrorCode, orderCode: string, detail: string): ApplyOutcome => {
      report(target, 'failed', code, detail);
      return { ok: false, code: orderCode, detail };
    };
    if (running) return { ok: false, code: 'UPDATE_IN_PROGRESS', detail: 'another release is being installed' };
    if (deps.releasePublicKeys.length === 0)
      return refuse(
        'UNKNOWN_KEY',
        'NO_RELEASE_KEYS',
        'no release public keys are configured (update.releasePublicKeys)',
      );
    const verified = await verifyReleaseManifest(payload.release, deps.releasePublicKeys);
    if (!verified.ok)
      return refuse(verified.code === 'UNKNOWN_KEY' ? 'UNKNOWN_KEY' : 'BAD_SIGNATURE', verified.code, verified.message);
    const manifest = verified.manifest;
    if (compareVersions(manifest.version, deps.runningVersion) <= 0)
      return refuse(
        'DOWNGRADE',
        'DOWNGRADE',
        `${manifest.version} is not newer than the running ${deps.runningVersion}`,
      );
    if (manifest.minUpgradeFrom && compareVersions(deps.runningVersion, manifest.minUpgradeFrom) < 0)
      return refuse(
        'TOO_OLD_TO_UPGRADE',
        'TOO_OLD_TO_UPGRADE',
        `${manifest.version} upgrades from ${manifest.minUpgradeFrom} or later; this is ${deps.runningVersion}`,
      );
    if (deps.runningSlot === null)
      return refuse(
        'INSTALL_FAILED',
        'NOT_SUPERVISED',
        'this daemon was not started by `osiris-appliance supervise`: it cannot restart into a new version',
      );
    let state: ReturnType<typeof readState>;
    try {
      state = readState(paths);
    } catch (error) {
      return refuse('INSTALL_FAILED', 'INSTALL_FAILED', (error as Error).message);
    }
    if (!state)
      return refuse(
        'INSTALL_FAILED',
        'NOT_SUPERVISED',
        `no updater state under ${paths.root}: not installed with slots`,
      );
    if (state.pending)
      return { ok: false, code: 'UPDATE_IN_PROGRESS', detail: `${state.pending.version} is already waiting to start` };
    const registration = store.registration.get();
    if (!registration) return refuse('DOWNLOAD_FAILED', 'NOT_REGISTERED', 'not registered');
    store.settings.set(IN_PROGRESS_KEY, JSON.stringify(target));
    const url = `${registration.centralUrl}${payload.artifactPath}`;
    running = install(manifest, target, url, registration.token, otherSlot(state.knownGood)).finally(() => {
      running = null;
    });
    return { ok: true, detail: `installing ${manifest.version} into slot ${otherSlot(state.knownGood)}` };
  }

  async function install(manifest: ReleaseManifest, target: InProgress, url: string, token: string, slot: Slot) {
    const step = async (name: InstallStep) => deps.onStep?.(name);
    const slotDir = paths.slot(slot);
    const file = join(paths.downloads, `${manifest.version}.tar.gz.part`);
    let slotTouched = false;
    let bytes = 0;
    try {
      await step('verified');
      report(target, 'downloading');
      mkdirSync(paths.downloads, { recursive: true, mode: 0o700 });
      bytes = await downloadArtifact({
        url,
        token,
        file,
        expectedSize: manifest.sizeBytes,
        expectedSha256: manifest.sha256,
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
        signal: abort.signal,
        attempts: deps.downloadAttempts ?? 5,
        ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}),
      });
      await step('downloaded');
      slotTouched = true;
      rmSync(slotDir, { recursive: true, force: true });
      mkdirSync(slotDir, { recursive: true, mode: 0o755 });
      await step('extracting');
      await extractTarGz(file, slotDir, deps.writer ? { writer: deps.writer } : {}).catch((error: unknown) => {
        if (isDiskFull(error))
          throw new UpdateFailure('DISK_FULL', 'no space left while unpacking the release', { cause: error });
        throw new UpdateFailure('INSTALL_FAILED', `cannot unpack the release: ${(error as Error).message}`, {
          cause: error,
        });
      });
      checkTree(slotDir, manifest.version);
      await step('extracted');
      // The switch: the pending slot and its `installed` report in one atomic write of the state file.
      const installed = statusReport(target, 'installed', null, `installed into slot ${slot}`, bytes);
      changeState(paths, (s) => ({
        ...s,
        pending: {
          slot,
          version: manifest.version,
          rolloutId: target.rolloutId,
          fromVersion: target.fromVersion,
          startAttempts: 0,
          lastError: null,
        },
        outbox: [...s.outbox, installed].slice(-100),
      }));
      slotTouched = false; // from here on the slot is the pending version's: never removed on a later error
      await step('recorded');
      store.settings.set(IN_PROGRESS_KEY, '');
      rmSync(file, { force: true });
      reporter.takeOutbox(paths);
      // One bounded attempt to tell central before restarting (the queue keeps it otherwise).
      await Promise.race([
        reporter.flush().catch(() => false),
        new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
      ]);
      log.info('release installed; restarting into it', { version: manifest.version, slot });
      deps.requestRestart();
    } catch (error) {
      const failure =
        error instanceof UpdateFailure
          ? error
          : isDiskFull(error)
            ? new UpdateFailure('DISK_FULL', 'no space left on the device', { cause: error })
            : new UpdateFailure('INSTALL_FAILED', (error as Error).message, { cause: error });
      if (slotTouched) rmSync(slotDir, { recursive: true, force: true });
      // A broken-off download is kept for the next attempt to resume; anything else is of no more use.
      if (failure.code !== 'DOWNLOAD_FAILED' && failure.code !== 'INTERRUPTED') rmSync(file, { force: true });
      store.settings.set(IN_PROGRESS_KEY, '');
      report(target, 'failed', failure.code, failure.message, bytes || null);
      log.warn('release not installed', { version: manifest.version, code: failure.code, reason: failure.message });
    }
  }

  const pendingVersion = () => {
    try {
      return readState(paths)?.pending?.version ?? null;
    } catch {
      return null;
    }
  };

  return {
    start,
    /** An install cut short by a crash or power cut (nothing was recorded as pending): report it as failed. */
    recoverInterrupted(): void {
      const text = store.settings.get(IN_PROGRESS_KEY);
      if (!text) return;
      store.settings.set(IN_PROGRESS_KEY, '');
      try {
        const target = JSON.parse(text) as InProgress;
        // Stopped after the switch: the install is complete and its report is in the state file.
        if (pendingVersion() === target.version) return;
        report(
          target,
          'failed',
          'INTERRUPTED',
          'the appliance stopped before the install finished; the running version was kept',
        );
      } catch {
        log.warn('unreadable interrupted-install record dropped');
      }
    },
    /** Waits for an install in progress; `abort` stops its download first. */
    async stop(): Promise<void> {
      abort.abort();
      await running;
    },
    get isInstalling(): boolean {
      return running !== null;
    },
  };
}

function statusReport(
  target: InProgress,
  state: UpdateStatusReport['state'],
  errorCode: UpdateErrorCode | null,
  message: string | null,
  bytesDownloaded: number | null,
): UpdateStatusReport {
  return {
    schemaVersion: 1,
    rolloutId: target.rolloutId,
    version: target.version,
    state,
    fromVersion: target.fromVersion,
    at: new Date().toISOString(),
    errorCode,
    message: message?.slice(0, 2000) ?? null,
    bytesDownloaded,
  };
}

/** The unpacked tree must be a whole appliance of the signed version. */
function checkTree(slotDir: string, version: string): void {
  const bin = join(slotDir, 'bin', 'osiris-appliance');
  if (!existsSync(bin)) throw new UpdateFailure('INSTALL_FAILED', 'the release has no bin/osiris-appliance');
  let found = '';
  try {
    found = readFileSync(join(slotDir, 'VERSION'), 'utf8').trim();
  } catch {
    throw new UpdateFailure('INSTALL_FAILED', 'the release has no VERSION file');
  }
  if (found !== version)
    throw new UpdateFailure('INSTALL_FAILED', `the release says it is ${found}, the manifest ${version}`);
}
