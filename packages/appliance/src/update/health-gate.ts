import type { Logger } from '../log';
import type { UpdateReporter } from './reporter';
import { changeState, markPendingGood, pointLinkAt, readState, type Slot, type UpdatePaths } from './state';

export type GateCondition = 'store' | 'checkin' | 'checks';
const CONDITIONS: readonly GateCondition[] = ['store', 'checkin', 'checks'];

/**
 * The health gate of a daemon started from a pending slot: the store opened, a check-in with
 * central succeeded and a check ran, all within `timeoutMs`. Passing records the slot as known
 * good (with its `healthy` report, in one atomic write of the state file) and points `good` at
 * it; failing calls `onFail` so the daemon exits non-zero and the supervisor counts a failed start.
 * Outside a trial (no pending slot, or another slot) the gate is inactive and does nothing.
 */
export function createHealthGate(deps: {
  paths: UpdatePaths;
  slot: Slot | null;
  timeoutMs: number;
  /** When the daemon started (epoch ms): the gate's time counts from there. */
  startedAt: number;
  log: Logger;
  reporter: UpdateReporter;
  onFail: (reason: string) => void;
}) {
  const { paths, slot, log } = deps;
  let state: ReturnType<typeof readState> = null;
  try {
    state = readState(paths);
  } catch (error) {
    log.error('the updater state is unreadable', { reason: (error as Error).message });
  }
  const active = slot !== null && state?.pending?.slot === slot;
  const met = new Set<GateCondition>();
  let passed = !active;
  let failed = false;
  let timer: NodeJS.Timeout | null = null;
  if (active) {
    log.info('health gate open', { slot, version: state?.pending?.version, timeoutMs: deps.timeoutMs });
    timer = setTimeout(
      () => {
        if (passed) return;
        failed = true; // a late condition must not make it pass while the daemon stops
        const missing = CONDITIONS.filter((c) => !met.has(c));
        log.error('health gate failed', { slot, missing });
        deps.onFail(`health gate timed out after ${deps.timeoutMs} ms; missing: ${missing.join(', ')}`);
      },
      Math.max(0, deps.startedAt + deps.timeoutMs - Date.now()),
    );
    timer.unref();
  }

  const drainOutbox = () => deps.reporter.takeOutbox(paths);

  return {
    isActive: active,
    get hasPassed(): boolean {
      return passed;
    },
    drainOutbox,
    note(condition: GateCondition): void {
      if (passed || failed) return;
      met.add(condition);
      if (!CONDITIONS.every((c) => met.has(c)) || slot === null) return;
      passed = true;
      if (timer) clearTimeout(timer);
      changeState(paths, (s) => (s.pending?.slot === slot ? markPendingGood(s) : s));
      pointLinkAt(paths.good, slot);
      log.info('health gate passed; this version is now known good', { slot });
      drainOutbox();
    },
    stop(): void {
      if (timer) clearTimeout(timer);
    },
  };
}
