import type { CommandRunner } from '../../command-runner';
import type { PlatformCheck } from '../check';

/** Runs a PowerShell script (Windows PowerShell 5.1, present on every supported Windows). */
const runPowerShell = (run: CommandRunner, script: string, timeoutMs = 60_000) =>
  run('powershell.exe', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script], {
    timeoutMs,
  });

/** A collector running one PowerShell script that prints JSON, stored under `name`. */
export const powerShellCollector =
  (name: string, script: string, timeoutMs = 60_000): PlatformCheck['collect'] =>
  async (run) => ({ [name]: await runPowerShell(run, script, timeoutMs) });
