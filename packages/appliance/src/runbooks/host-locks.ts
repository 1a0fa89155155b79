/**
 * Per-host readers-writer locks for runbooks: one that does not allow concurrency runs alone on its
 * host; others may share the host with each other. Waiters are served in arrival order, so a
 * stream of shared runs cannot starve an exclusive one.
 */
interface Waiter {
  isExclusive: boolean;
  grant: () => void;
}

interface HostState {
  readers: number;
  hasWriter: boolean;
  queue: Waiter[];
}

export function createHostLocks() {
  const hosts = new Map<string, HostState>();

  const pump = (hostId: string, state: HostState): void => {
    while (state.queue.length > 0) {
      const next = state.queue[0] as Waiter;
      if (next.isExclusive) {
        if (state.hasWriter || state.readers > 0) return;
        state.hasWriter = true;
      } else {
        if (state.hasWriter) return;
        state.readers += 1;
      }
      state.queue.shift();
      next.grant();
    }
    if (!state.hasWriter && state.readers === 0) hosts.delete(hostId);
  };

  return {
    /** Resolves with a release function once the host is free for this kind of run. */
    acquire(hostId: string, isExclusive: boolean): Promise<() => void> {
      const state = hosts.get(hostId) ?? { readers: 0, hasWriter: false, queue: [] };
      hosts.set(hostId, state);
      return new Promise((resolve) => {
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          if (isExclusive) state.hasWriter = false;
          else state.readers -= 1;
          pump(hostId, state);
        };
        state.queue.push({ isExclusive, grant: () => resolve(release) });
        pump(hostId, state);
      });
    },
  };
}
export type HostLocks = ReturnType<typeof createHostLocks>;
