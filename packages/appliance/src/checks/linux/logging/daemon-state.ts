/** Whether a required daemon is installed, enabled and running, from the shared service probe. */
import type { ProbeFacts } from '../services/service-probe';

export interface DaemonState {
  [key: string]: boolean | string[];
  isInstalled: boolean;
  isEnabled: boolean;
  isRunning: boolean;
  evidence: string[];
}

/** `processes`/`units` select this daemon's entries when one probe covered several daemons. */
export interface DaemonSelector {
  processes: readonly string[];
  units: readonly string[];
  packages?: readonly string[];
  binaries?: readonly string[];
}

export function daemonState(facts: ProbeFacts, daemon: DaemonSelector): DaemonState {
  const procs = facts.processes.filter((p) => daemon.processes.includes(p.split(' ')[1] ?? ''));
  const units = facts.units.filter((u) => daemon.units.includes(u.unit));
  const sysv = facts.sysv.filter((s) => daemon.units.some((u) => s.endsWith(u.replace(/\.service$/, ''))));
  const isRunning = procs.length > 0 || units.some((u) => u.active === 'active');
  const isEnabled = units.some((u) => u.enabled === 'yes') || sysv.length > 0;
  const isInstalled =
    facts.packages.some((p) => daemon.packages?.includes(p)) ||
    facts.binaries.some((b) => daemon.binaries?.some((name) => b.endsWith(`/${name}`))) ||
    units.some((u) => u.file !== null) ||
    isRunning;
  const evidence = [
    ...procs.map((p) => `process ${p}`),
    ...units.filter((u) => u.file !== null).map((u) => `${u.unit} enabled=${u.enabled} active=${u.active}`),
    ...sysv,
  ].slice(0, 10);
  return { isInstalled, isEnabled, isRunning, evidence };
}
