import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Appliance } from '@osiris/protocol';
import { isProcessAlive } from '../hosts/proc';
import type { FleetAppliance } from './fleet-appliance';

/**
 * "No appliance is ever left without a working version", measured. Every `intervalMs` each
 * appliance is sampled; it is *working* at a sample when all of these hold:
 *
 * - its supervisor runs and has a daemon child, started from a slot whose VERSION is one the lab
 *   knows to be good (the version the sources build, and the good release — never the bad one);
 * - central's record of the appliance says it last checked in with a known-good version, and that
 *   check-in is at most `freshMs` old.
 *
 * A *gap* is a run of samples that are not working, from the first such sample to the next working
 * one (or the end). A restart into a new version, and each failed start of a bad one, make short
 * gaps; the run passes when no gap is longer than the allowance it is given.
 */
export interface ApplianceWatch {
  hostname: string;
  samples: number;
  workingSamples: number;
  gaps: number;
  maxGapMs: number;
  /** Why the longest gap began (e.g. "no daemon", "checked in 9 s ago"). */
  maxGapReason: string | null;
  /** Versions seen running as the daemon (from the slot it was started from). */
  daemonVersions: string[];
  /** Versions central saw it check in with. */
  checkinVersions: string[];
  /** Longest time between two consecutive check-ins central recorded (the restart into a new version shows here). */
  maxCheckinSilenceMs: number;
  /** Daemon processes seen (distinct pids): the first one, then one per restart or start attempt caught. */
  daemonStarts: number;
  stillInGapMs: number | null;
}

export interface FleetMonitor {
  /** The latest central view per appliance id (refreshed at every sample). */
  central(): Map<string, Appliance>;
  stop(): Promise<ApplianceWatch[]>;
}

interface Track {
  watch: ApplianceWatch;
  gapStart: number | null;
  gapReason: string | null;
  daemonVersions: Set<string>;
  checkinVersions: Set<string>;
  pids: Set<number>;
  lastCheckinAt: number | null;
}

const slotVersion = (root: string, slot: string): string | null => {
  try {
    return readFileSync(join(root, 'slots', slot, 'VERSION'), 'utf8').trim();
  } catch {
    return null;
  }
};

export function startFleetMonitor(params: {
  appliances: readonly FleetAppliance[];
  knownGood: readonly string[];
  readCentral: () => Promise<Appliance[]>;
  freshMs: number;
  /** How often the processes are sampled; central's view is refreshed every `centralEveryMs`. */
  intervalMs: number;
  centralEveryMs: number;
  onError: (message: string) => void;
}): FleetMonitor {
  const good = new Set(params.knownGood);
  const tracks = params.appliances.map(
    (a): Track => ({
      watch: {
        hostname: a.hostname,
        samples: 0,
        workingSamples: 0,
        gaps: 0,
        maxGapMs: 0,
        maxGapReason: null,
        daemonVersions: [],
        checkinVersions: [],
        daemonStarts: 0,
        maxCheckinSilenceMs: 0,
        stillInGapMs: null,
      },
      lastCheckinAt: null,
      pids: new Set(),
      gapStart: null,
      gapReason: null,
      daemonVersions: new Set(),
      checkinVersions: new Set(),
    }),
  );
  let latest = new Map<string, Appliance>();
  let stopped = false;

  function why(appliance: FleetAppliance, track: Track, record: Appliance | undefined, now: number): string | null {
    const supervisor = appliance.supervisor;
    if (!supervisor || !isProcessAlive(supervisor.pid)) return 'supervisor not running';
    const daemon = appliance.daemon();
    if (!daemon) return 'no daemon';
    track.pids.add(daemon.pid);
    const version = slotVersion(appliance.root, daemon.slot);
    if (version) track.daemonVersions.add(version);
    if (!version || !good.has(version)) return `daemon of slot ${daemon.slot} runs ${version ?? 'no version'}`;
    if (!record?.lastCheckinAt) return 'never checked in';
    track.checkinVersions.add(record.version);
    if (!good.has(record.version)) return `checked in with ${record.version}`;
    const age = now - Date.parse(record.lastCheckinAt);
    if (age > params.freshMs) return `last check-in ${Math.round(age / 1000)} s ago`;
    return null;
  }

  let centralReadAt = 0;
  async function sample(): Promise<void> {
    if (Date.now() - centralReadAt >= params.centralEveryMs) {
      try {
        latest = new Map((await params.readCentral()).map((a) => [a.id, a]));
        centralReadAt = Date.now();
      } catch (error) {
        params.onError(`monitor: central unreadable: ${(error as Error).message}`);
        return;
      }
    }
    const now = Date.now();
    params.appliances.forEach((appliance, i) => {
      const track = tracks[i] as Track;
      const record = appliance.applianceId ? latest.get(appliance.applianceId) : undefined;
      noteCheckin(track, record?.lastCheckinAt ? Date.parse(record.lastCheckinAt) : null, centralReadAt);
      const reason = why(appliance, track, record, now);
      track.watch.samples += 1;
      if (reason === null) {
        track.watch.workingSamples += 1;
        if (track.gapStart !== null) closeGap(track, now);
      } else if (track.gapStart === null) {
        track.gapStart = now;
        track.gapReason = reason;
        track.watch.gaps += 1;
      }
    });
  }

  function noteCheckin(track: Track, at: number | null, readAt: number): void {
    if (at === null) return;
    const previous = track.lastCheckinAt;
    if (previous !== null && at > previous)
      track.watch.maxCheckinSilenceMs = Math.max(track.watch.maxCheckinSilenceMs, at - previous);
    if (previous === null || at > previous) track.lastCheckinAt = at;
    // A silence still going on counts with its length so far (as of central's last read).
    if (track.lastCheckinAt !== null && readAt > track.lastCheckinAt)
      track.watch.maxCheckinSilenceMs = Math.max(track.watch.maxCheckinSilenceMs, readAt - track.lastCheckinAt);
  }

  function closeGap(track: Track, now: number): void {
    const length = now - (track.gapStart ?? now);
    if (length > track.watch.maxGapMs) {
      track.watch.maxGapMs = length;
      track.watch.maxGapReason = track.gapReason;
    }
    track.gapStart = null;
    track.gapReason = null;
  }

  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await sample();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, params.intervalMs - (Date.now() - started))));
    }
  })();

  return {
    central: () => latest,
    async stop() {
      stopped = true;
      await loop;
      const now = Date.now();
      return tracks.map((track) => {
        const open = track.gapStart;
        if (open !== null) {
          // A gap still open at the end counts with its length so far.
          track.watch.stillInGapMs = now - open;
          closeGap(track, now);
        }
        track.watch.daemonVersions = [...track.daemonVersions].sort();
        track.watch.checkinVersions = [...track.checkinVersions].sort();
        track.watch.daemonStarts = track.pids.size;
        return track.watch;
      });
    },
  };
}
