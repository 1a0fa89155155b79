import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { ReleaseVersion, UpdateErrorCode, UpdateStatusReport } from '@osiris/protocol';
import { z } from 'zod';

/**
 * The install layout under the update root (see docs/updates.md):
 *
 *   slots/a, slots/b   two complete appliance builds
 *   current            symlink → slots/<slot> the supervisor starts (the pending slot while one is on trial)
 *   good               symlink → slots/<known-good slot>; the supervisor itself runs from here
 *   downloads/         artifacts being downloaded (resumable `.part` files)
 *   state.json         the updater state below, replaced atomically (temp file, fsync, rename, fsync dir)
 *
 * Writers never overlap: the supervisor writes only while no daemon runs; the daemon writes while
 * the supervisor waits for it.
 */

export const Slot = z.enum(['a', 'b']);
export type Slot = z.infer<typeof Slot>;

export const MAX_START_ATTEMPTS = 3;

export const PendingSlot = z.strictObject({
  slot: Slot,
  version: ReleaseVersion,
  rolloutId: z.uuid(),
  fromVersion: z.string().max(64),
  /** Starts of the pending slot so far (counted before each start, so a crash counts too). */
  startAttempts: z.number().int().min(0),
  lastError: z.strictObject({ code: UpdateErrorCode, message: z.string().max(2000) }).nullable(),
});
export type PendingSlot = z.infer<typeof PendingSlot>;

export const UpdaterState = z.strictObject({
  schemaVersion: z.literal(1),
  knownGood: Slot,
  knownGoodVersion: z.string().max(64).nullable(),
  pending: PendingSlot.nullable(),
  /** Reports made outside the daemon (or together with a state change); the daemon moves them to its store queue. */
  outbox: z.array(UpdateStatusReport).max(100),
});
export type UpdaterState = z.infer<typeof UpdaterState>;

export const otherSlot = (slot: Slot): Slot => (slot === 'a' ? 'b' : 'a');

export function updatePaths(root: string) {
  return {
    root,
    state: join(root, 'state.json'),
    current: join(root, 'current'),
    good: join(root, 'good'),
    downloads: join(root, 'downloads'),
    slot: (slot: Slot) => join(root, 'slots', slot),
    bin: (slot: Slot) => join(root, 'slots', slot, 'bin', 'osiris-appliance'),
  };
}
export type UpdatePaths = ReturnType<typeof updatePaths>;

/** Writes a file so that readers see the old or the new content, never a torn one, even after a power cut. */
function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, 'w', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true }); // e.g. a full disk: leave no half-written temp file behind
    throw error;
  }
  fsyncDir(dirname(file));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

class UpdateStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateStateError';
  }
}

/** The state file, or null when there is none yet. A corrupt file is an error (never guessed around). */
export function readState(paths: UpdatePaths): UpdaterState | null {
  let text: string;
  try {
    text = readFileSync(paths.state, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpdateStateError(`${paths.state} is not valid JSON`);
  }
  const parsed = UpdaterState.safeParse(json);
  if (!parsed.success) throw new UpdateStateError(`${paths.state} is invalid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function writeState(paths: UpdatePaths, state: UpdaterState): void {
  mkdirSync(paths.root, { recursive: true });
  writeFileAtomic(paths.state, `${JSON.stringify(UpdaterState.parse(state), null, 2)}\n`);
}

/** Reads, changes and writes the state; `change` returns the new state. */
export function changeState(paths: UpdatePaths, change: (state: UpdaterState) => UpdaterState): UpdaterState {
  const state = readState(paths);
  if (!state)
    throw new UpdateStateError(`no updater state at ${paths.state}: is the appliance installed under the supervisor?`);
  const next = change(state);
  writeState(paths, next);
  return next;
}

/** The slot a link points at, or null (no link, or pointing elsewhere). */
export function linkedSlot(link: string): Slot | null {
  try {
    const target = readlinkSync(link);
    const match = /(?:^|\/)slots\/([ab])\/?$/.exec(target);
    return match ? (match[1] as Slot) : null;
  } catch {
    return null;
  }
}

/** Points `link` at slots/<slot>: a new symlink under a temp name renamed over the old one (atomic). */
export function pointLinkAt(link: string, slot: Slot): void {
  if (linkedSlot(link) === slot) return;
  const temp = `${link}.tmp-${process.pid}`;
  rmSync(temp, { force: true });
  symlinkSync(join('slots', slot), temp);
  renameSync(temp, link);
  fsyncDir(dirname(link));
}

/** The state after the daemon in the pending slot passed its health gate, with its `healthy` report. */
export function markPendingGood(state: UpdaterState, at = new Date()): UpdaterState {
  const pending = state.pending;
  if (!pending) return state;
  return {
    ...state,
    knownGood: pending.slot,
    knownGoodVersion: pending.version,
    pending: null,
    outbox: [...state.outbox, report(pending, 'healthy', null, null, at)].slice(-100),
  };
}

/** The state after giving up on the pending slot, with its `rolled_back` report. */
export function rollBack(state: UpdaterState, code: UpdateErrorCode, message: string, at = new Date()): UpdaterState {
  const pending = state.pending;
  if (!pending) return state;
  return {
    ...state,
    pending: null,
    outbox: [...state.outbox, report(pending, 'rolled_back', code, message, at)].slice(-100),
  };
}

function report(
  pending: PendingSlot,
  state: 'healthy' | 'rolled_back',
  errorCode: UpdateErrorCode | null,
  message: string | null,
  at: Date,
): UpdateStatusReport {
  return {
    schemaVersion: 1,
    rolloutId: pending.rolloutId,
    version: pending.version,
    state,
    fromVersion: pending.fromVersion,
    at: at.toISOString(),
    errorCode,
    message: message?.slice(0, 2000) ?? null,
    bytesDownloaded: null,
  };
}

/** The daemon stopped cleanly so that the supervisor starts the pending slot. */
export const EXIT_RESTART_INTO_PENDING = 75;
/** The daemon on trial did not pass its health gate in time. */
export const EXIT_HEALTH_GATE_FAILED = 76;
/** Environment variable through which the supervisor tells the daemon which slot it runs from. */
export const SLOT_ENV = 'OSIRIS_APPLIANCE_UPDATE_SLOT';
/** Environment variable through which the supervisor tells the daemon its update root (over `update.root`). */
export const ROOT_ENV = 'OSIRIS_APPLIANCE_UPDATE_ROOT';
