import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';
import { createBackoff } from '../sync/backoff';
import { createWaiter } from '../daemon/sleep';
import {
  EXIT_HEALTH_GATE_FAILED,
  EXIT_RESTART_INTO_PENDING,
  linkedSlot,
  MAX_START_ATTEMPTS,
  pointLinkAt,
  readState,
  ROOT_ENV,
  rollBack,
  SLOT_ENV,
  type Slot,
  type UpdatePaths,
  type UpdaterState,
  updatePaths,
  writeState,
} from './state';

export interface SuperviseOptions {
  root: string;
  /** Arguments for the daemon after its bin, e.g. `run --config /etc/osiris/appliance.yaml`. */
  daemonArgs: readonly string[];
  /** A version on trial must pass its gate within this (plus `gateMarginMs`), or its start failed. */
  healthGateTimeoutMs: number;
  log: Logger;
  signal: AbortSignal;
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
  /** Waits between restarts of a known-good daemon that stopped (backoff with jitter). */
  restartDelayMs?: { initial: number; max: number };
  /** SIGTERM → SIGKILL when the daemon does not stop. */
  stopGraceMs?: number;
  /** The backstop stops a daemon on trial this long after its gate's time (it should have judged itself). */
  gateMarginMs?: number;
}

/** The supervisor cannot start anything (nothing installed, or an unreadable state file). */
export class SuperviseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuperviseError';
  }
}

type Exit = { code: number | null; signal: NodeJS.Signals | null; timedOut: boolean };

const readVersion = (paths: UpdatePaths, slot: Slot): string | null => {
  try {
    return readFileSync(join(paths.slot(slot), 'VERSION'), 'utf8').trim() || null;
  } catch {
    return null;
  }
};

/** The state file, created on first start from where `current` points (or slot a). */
function loadOrInitState(paths: UpdatePaths): UpdaterState {
  let existing: UpdaterState | null;
  try {
    existing = readState(paths);
  } catch (error) {
    throw new SuperviseError((error as Error).message);
  }
  if (existing) return existing;
  const slot = linkedSlot(paths.current) ?? 'a';
  if (!existsSync(paths.bin(slot)))
    throw new SuperviseError(`nothing installed: ${paths.bin(slot)} does not exist (unpack a release into it first)`);
  const state: UpdaterState = {
    schemaVersion: 1,
    knownGood: slot,
    knownGoodVersion: readVersion(paths, slot),
    pending: null,
    outbox: [],
  };
  writeState(paths, state);
  return state;
}

/**
 * Runs the daemon of the current slot and restarts it, until `signal` aborts. While a slot is
 * pending (a new version on trial) every start is counted before it happens (so a crash or power
 * cut counts too); a start fails when the daemon exits before it passed its health gate or the
 * gate times out. After MAX_START_ATTEMPTS failed starts `current` goes back to the known-good
 * slot and a `rolled_back` report is left in the state file's outbox for the old daemon to send.
 */
export async function supervise(options: SuperviseOptions): Promise<void> {
  const { log, signal } = options;
  const paths = updatePaths(options.root);
  const backoff = createBackoff({
    initialMs: options.restartDelayMs?.initial ?? 1000,
    maxMs: options.restartDelayMs?.max ?? 30_000,
  });
  const waiter = createWaiter();
  while (!signal.aborted) {
    let state = loadOrInitState(paths);
    if (state.pending && state.pending.startAttempts >= MAX_START_ATTEMPTS) {
      const last = state.pending.lastError;
      const message = `${state.pending.version} failed ${state.pending.startAttempts} starts${last ? `; last: ${last.message}` : ''}; back to ${state.knownGoodVersion ?? state.knownGood}`;
      log.error('rolling back', { version: state.pending.version, slot: state.knownGood });
      state = rollBack(state, last?.code ?? 'START_FAILED', message);
      writeState(paths, state);
    }
    if (state.pending) {
      state = { ...state, pending: { ...state.pending, startAttempts: state.pending.startAttempts + 1 } };
      writeState(paths, state);
    }
    const trial = state.pending;
    const slot = trial?.slot ?? state.knownGood;
    pointLinkAt(paths.good, state.knownGood);
    pointLinkAt(paths.current, slot);
    log.info('starting the daemon', {
      slot,
      version: trial?.version ?? state.knownGoodVersion,
      trial: trial?.startAttempts ?? null,
    });
    const startedAt = Date.now();
    const exit = await runOnce(options, paths, slot, trial !== null);
    if (signal.aborted) {
      // A stop of the service is not a failed start of the version on trial.
      const now = readState(paths);
      if (now?.pending && trial && now.pending.slot === slot)
        writeState(paths, {
          ...now,
          pending: { ...now.pending, startAttempts: Math.max(0, now.pending.startAttempts - 1) },
        });
      break;
    }
    const after = readState(paths);
    if (trial && after?.pending?.slot === slot) {
      const code = exit.timedOut || exit.code === EXIT_HEALTH_GATE_FAILED ? 'HEALTH_GATE_FAILED' : 'START_FAILED';
      const message = exit.timedOut
        ? `start ${after.pending.startAttempts}: the health gate did not pass in time`
        : `start ${after.pending.startAttempts}: exited with ${exit.code ?? exit.signal} before passing the health gate`;
      log.warn('a start of the new version failed', { slot, code, message });
      writeState(paths, { ...after, pending: { ...after.pending, lastError: { code, message } } });
      continue;
    }
    if (exit.code === EXIT_RESTART_INTO_PENDING) continue;
    if (Date.now() - startedAt > 60_000) backoff.succeed();
    const delay = backoff.fail();
    log.warn('the daemon stopped; restarting', {
      slot,
      code: exit.code,
      signal: exit.signal,
      restartInMs: Math.round(delay),
    });
    await waiter.wait(delay, signal);
  }
}

function runOnce(options: SuperviseOptions, paths: UpdatePaths, slot: Slot, onTrial: boolean): Promise<Exit> {
  const grace = options.stopGraceMs ?? 15_000;
  return new Promise((resolve) => {
    let timedOut = false;
    let child: ChildProcess;
    try {
      child = spawn(options.nodePath ?? process.execPath, [paths.bin(slot), ...options.daemonArgs], {
        stdio: 'inherit',
        env: { ...(options.env ?? process.env), [SLOT_ENV]: slot, [ROOT_ENV]: paths.root },
      });
    } catch (error) {
      options.log.error('cannot start the daemon', { reason: (error as Error).message });
      resolve({ code: null, signal: null, timedOut: false });
      return;
    }
    const stop = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), grace).unref();
    };
    // The daemon judges its own gate; this is the backstop for one that hangs before it can.
    const gateTimer = onTrial
      ? setTimeout(
          () => {
            if (readState(paths)?.pending?.slot !== slot) return;
            timedOut = true;
            options.log.warn('the new version did not pass its health gate in time; stopping it', { slot });
            stop();
          },
          options.healthGateTimeoutMs + (options.gateMarginMs ?? 5_000),
        )
      : null;
    const onAbort = () => stop();
    options.signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (exit: Exit) => {
      if (settled) return;
      settled = true;
      if (gateTimer) clearTimeout(gateTimer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(exit);
    };
    child.on('error', (error) => {
      options.log.error('cannot start the daemon', { reason: error.message });
      finish({ code: null, signal: null, timedOut });
    });
    child.on('exit', (code, signal) => finish({ code, signal, timedOut }));
  });
}
