import { z } from 'zod';
import { type CheckParams, commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';
import { powerShellCollector } from './powershell';

/** Remote management tools by service name, process image and install path (case-insensitive). */
const RMM_SIGNATURES: ReadonlyArray<{ id: string; name: string; service: string; process: string; paths: string[] }> = [
  {
    id: 'datto',
    name: 'Datto RMM',
    service: 'CagService',
    process: 'AEMAgent',
    paths: ['C:\\Program Files (x86)\\CentraStage', 'C:\\Program Files\\CentraStage'],
  },
  {
    id: 'connectwise_automate',
    name: 'ConnectWise Automate',
    service: 'LTService',
    process: 'LTSvc',
    paths: ['C:\\Windows\\LTSvc'],
  },
  {
    id: 'connectwise_control',
    name: 'ConnectWise Control',
    service: 'ScreenConnect Client',
    process: 'ScreenConnect.ClientService',
    paths: ['C:\\Program Files (x86)\\ScreenConnect Client'],
  },
  {
    id: 'ninjarmm',
    name: 'NinjaRMM',
    service: 'NinjaRMMAgent',
    process: 'NinjaRMMAgent',
    paths: ['C:\\ProgramData\\NinjaRMMAgent'],
  },
  {
    id: 'kaseya',
    name: 'Kaseya VSA',
    service: 'Kaseya Agent',
    process: 'AgentMon',
    paths: ['C:\\Program Files (x86)\\Kaseya'],
  },
  { id: 'syncro', name: 'Syncro', service: 'Syncro', process: 'syncro', paths: ['C:\\ProgramData\\Syncro'] },
  {
    id: 'atera',
    name: 'Atera',
    service: 'AteraAgent',
    process: 'AteraAgent',
    paths: ['C:\\Program Files\\ATERA Networks'],
  },
  {
    id: 'nable',
    name: 'N-able N-central',
    service: 'Windows Agent Maintenance Service',
    process: 'agent_maintenance',
    paths: ['C:\\Program Files (x86)\\N-able Technologies'],
  },
  {
    id: 'pulseway',
    name: 'Pulseway',
    service: 'Pulseway',
    process: 'PCMonitorSrv',
    paths: ['C:\\Program Files (x86)\\MMSOFT Design\\PC Monitor'],
  },
  {
    id: 'teamviewer',
    name: 'TeamViewer',
    service: 'TeamViewer',
    process: 'TeamViewer_Service',
    paths: ['C:\\Program Files\\TeamViewer', 'C:\\Program Files (x86)\\TeamViewer'],
  },
];

const psList = (items: readonly string[]) => items.map((p) => `'${p.replace(/'/g, "''")}'`).join(',');
const SCRIPT = `[pscustomobject]@{ Services = @(Get-Service | ForEach-Object { $_.Name }); Processes = @(Get-Process | ForEach-Object { $_.ProcessName } | Sort-Object -Unique); Paths = @(${psList(RMM_SIGNATURES.flatMap((s) => s.paths))} | Where-Object { Test-Path $_ }) } | ConvertTo-Json -Compress`;

const names = z.union([
  z.array(z.string().max(260)).max(10_000),
  z
    .string()
    .max(260)
    .transform((s) => [s]),
]);
const Inventory = z.object({ Services: names, Processes: names, Paths: names });

const allowed = (params: CheckParams) =>
  new Set(
    (params.allowed_rmm ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

export const windowsRmmTools: PlatformCheck = {
  collect: powerShellCollector('inventory', SCRIPT),
  evaluate(collected, params) {
    const permitted = allowed(params);
    const expected =
      permitted.size > 0
        ? `Only approved remote management tools (${[...permitted].join(', ')})`
        : 'Inventory of remote management tools';
    const problem = commandProblem(collected.inventory, 'RMM inventory', expected);
    if (problem) return problem;
    const parsed = Inventory.safeParse(parseJson(collected.inventory?.stdout ?? ''));
    if (!parsed.success)
      return errorEvaluation('UNPARSEABLE_OUTPUT', 'RMM inventory printed unexpected JSON', expected);
    const lower = (items: readonly string[]) => new Set(items.map((s) => s.toLowerCase()));
    const services = lower(parsed.data.Services);
    const processes = lower(parsed.data.Processes);
    const paths = lower(parsed.data.Paths);
    const observed: Record<string, string> = {};
    const found: string[] = [];
    for (const sig of RMM_SIGNATURES) {
      const via = services.has(sig.service.toLowerCase())
        ? 'service'
        : processes.has(sig.process.toLowerCase())
          ? 'process'
          : sig.paths.some((p) => paths.has(p.toLowerCase()))
            ? 'path'
            : undefined;
      if (via) {
        observed[`rmm_${sig.id}`] = via;
        found.push(sig.id);
      }
    }
    observed.rmm_count = String(found.length);
    const actual = found.length > 0 ? `detected: ${found.join(', ')}` : 'no remote management tools detected';
    const unapproved = permitted.size > 0 ? found.filter((id) => !permitted.has(id)) : [];
    return unapproved.length > 0
      ? evaluation('FAIL', expected, `unapproved: ${unapproved.join(', ')}`, observed)
      : evaluation('PASS', expected, actual, observed);
  },
};
