import { parseArgs } from 'node:util';
import { runAgentsLab } from './run';

export const AGENTS_USAGE = `       osiris-lab agents [--count 10] [--outage-seconds 600] [--restart-agents 1]
                         [--drain-timeout 600] [--postgres]`;

export const AGENTS_HELP = `Agents: issue 9's acceptance — N real osiris-agent processes on lab hosts enroll with the real
appliance daemon, report, lose the appliance (SIGKILL) for the outage while K agents restart, and
reconnect; then every result must be on the appliance and in central exactly once, in order, with
its detection time. Progress goes to stderr; the last stdout line is the summary JSON (exit 1 when
"ok" is false). --postgres uses TEST_DATABASE_URL for central instead of embedded PGlite.`;

function integer(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${raw}`);
  return value;
}

/** `osiris-lab agents …`: runs the scenario, prints progress and the summary; answers the exit code. */
export async function agentsCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      count: { type: 'string' },
      'outage-seconds': { type: 'string' },
      'restart-agents': { type: 'string' },
      'drain-timeout': { type: 'string' },
      postgres: { type: 'boolean', default: false },
    },
  });
  if (process.getuid?.() !== 0) throw new Error('the agents lab needs root (lab hosts)');
  if (values.postgres && !process.env.TEST_DATABASE_URL) throw new Error('--postgres needs TEST_DATABASE_URL');
  const agents = integer(values.count, 'count', 10, 1, 50);
  const started = Date.now();
  const report = await runAgentsLab({
    agents,
    outageSeconds: integer(values['outage-seconds'], 'outage-seconds', 600, 1, 86_400),
    restartAgents: integer(values['restart-agents'], 'restart-agents', 1, 0, agents),
    drainTimeoutSeconds: integer(values['drain-timeout'], 'drain-timeout', 600, 10, 86_400),
    backend: values.postgres ? 'postgres' : 'pglite',
    progress: (line) => process.stderr.write(`[${Math.round((Date.now() - started) / 1000)} s] ${line}\n`),
  });
  for (const agent of report.perAgent)
    if (agent.problems.length > 0) process.stderr.write(`${agent.host}: ${agent.problems.join('; ')}\n`);
  if (report.keptDir) process.stderr.write(`logs kept in ${report.keptDir}\n`);
  process.stdout.write(`${JSON.stringify(report.summary)}\n`);
  return report.summary.ok ? 0 : 1;
}
