import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AGENTS_HELP, AGENTS_USAGE, agentsCommand } from './agents/agents-command';
import { renderChaosHtml } from './chaos/report';
import { runChaos } from './chaos/run';
import { exportCommand } from './export/export-command';
import { runFleetLab } from './fleet/run';
import { DEFAULT_STATE_ROOT } from './hosts/host-layout';
import { createLab } from './hosts/lab';
import type { LabHostInfo } from './hosts/lab-host';

const USAGE = `usage: osiris-lab hosts up [--count N] [--json] [--state-dir DIR]
       osiris-lab hosts list [--json] [--state-dir DIR]
       osiris-lab hosts down [--state-dir DIR]
       osiris-lab chaos [--hosts 3] [--rounds 3] [--json out.json] [--html out.html]
                        [--interval 60] [--round-timeout 300] [--attacks id,id]
       osiris-lab export --out <file.zip> [--hosts 2] [--timeout 600] [--keep]
       osiris-lab rollout [--appliances 10] [--hosts 2] [--healthy-minutes 0] [--postgres] [--keep]
${AGENTS_USAGE}
Chaos: central plus a healing appliance against fresh lab hosts; every attack of the catalog
each round; prints progress, writes the JSON (detectionRate, healRate, medianTimeToHealMs, rows)
and an HTML report with a chart.
Rollout: N appliances under their supervisors; a good release rolled out 10 → 50 → 100 % must
complete, a bad one must roll back in stage 1 and pause the rollout; prints progress, then JSON.
Export: a small system on lab hosts (an attack healed by L1, a time-stamped tree head, a monthly
packet) writes an auditor export ZIP and verifies it; then \`npx osiris-verify <file.zip>\`.
${AGENTS_HELP}
Lab hosts are network/mount/UTS/PID namespaces with their own sshd and nftables (needs root).
State lives in --state-dir (default ${DEFAULT_STATE_ROOT}) so \`down\` finds what \`up\` started.`;

const MAX_HOSTS = 50;

function printTable(hosts: LabHostInfo[]): void {
  const rows = [
    ['NAME', 'IP', 'SSH PORT', 'USER', 'KEY'],
    ...hosts.map((h) => [h.name, h.ip, `${h.sshPort}`, h.user, h.privateKeyPath]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows)
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
}

function printHosts(hosts: LabHostInfo[], isJson: boolean): void {
  if (isJson) process.stdout.write(`${JSON.stringify(hosts, null, 2)}\n`);
  else printTable(hosts);
}

async function hostsUp(stateRoot: string, count: number, isJson: boolean): Promise<void> {
  const lab = createLab({ stateRoot, isDetached: true });
  const created: LabHostInfo[] = [];
  for (let i = 1; i <= count; i++) {
    const startedAt = Date.now();
    process.stderr.write(`[${i}/${count}] creating lab host… `);
    const host = await lab.createHost();
    created.push(host.info);
    process.stderr.write(`${host.info.name} ${host.info.ip} ready in ${Date.now() - startedAt} ms\n`);
  }
  printHosts(created, isJson);
  process.stderr.write(`${count} host(s) up; stop them with \`npx osiris-lab hosts down\`\n`);
}

async function hostsDown(stateRoot: string): Promise<void> {
  const lab = createLab({ stateRoot });
  process.stderr.write(`destroying every lab host in ${stateRoot}… `);
  const report = await lab.sweep({ isAll: true });
  process.stderr.write('done\n');
  const hosts = report.removedHosts.length ? report.removedHosts.join(', ') : 'none';
  process.stdout.write(`removed hosts: ${hosts}\n`);
  const strays = report.killedPids.length + report.removedLinks.length + report.removedNetns.length;
  if (strays > 0) process.stdout.write(`removed strays: ${JSON.stringify({ ...report, removedHosts: undefined })}\n`);
}

function parseCount(raw: string | undefined): number {
  const count = Number(raw ?? '1');
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new Error(`--count must be an integer from 1 to ${MAX_HOSTS}, got ${raw}`);
  }
  return count;
}

async function chaos(values: Record<string, string | boolean | undefined>): Promise<void> {
  const number = (name: string, fallback: number, max: number) => {
    const raw = values[name];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be 1..${max}`);
    return value;
  };
  const report = await runChaos({
    hosts: number('hosts', 3, 10),
    rounds: number('rounds', 3, 20),
    intervalSeconds: number('interval', 60, 3600),
    roundTimeoutSeconds: number('round-timeout', 300, 7200),
    attackIds: typeof values.attacks === 'string' ? values.attacks.split(',') : undefined,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const summary = { ...report, rows: undefined };
  if (typeof values.json === 'string') await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (typeof values.html === 'string') await writeFile(values.html, renderChaosHtml(report));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

async function rollout(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      appliances: { type: 'string' },
      hosts: { type: 'string' },
      'healthy-minutes': { type: 'string' },
      postgres: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const number = (name: 'appliances' | 'hosts' | 'healthy-minutes', fallback: number, min: number, max: number) => {
    const value = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be ${min}..${max}`);
    return value;
  };
  if (process.getuid?.() !== 0) throw new Error('the rollout lab needs root (lab hosts)');
  const healthyMinutes = number('healthy-minutes', 0, 0, 60);
  const { summary, keptDir } = await runFleetLab({
    appliances: number('appliances', 10, 1, 30),
    hosts: number('hosts', 2, 1, 10),
    stages: [
      { percent: 10, healthyMinutes },
      { percent: 50, healthyMinutes },
      { percent: 100, healthyMinutes: null },
    ],
    timings: { checkinIntervalSeconds: 3, checkIntervalSeconds: 60, healthGateTimeoutSeconds: 60 },
    rolloutTickSeconds: 2,
    rolloutTimeoutSeconds: 900 + 120 * healthyMinutes,
    holdSeconds: 30,
    maxGapSeconds: 30,
    backend: values.postgres ? 'postgres' : 'pglite',
    keep: values.keep,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  if (keptDir) process.stderr.write(`work dir kept: ${keptDir}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (!summary.ok) process.exitCode = 1;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'rollout') {
    await rollout(argv.slice(1));
    return;
  }
  if (argv[0] === 'agents') {
    process.exitCode = await agentsCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'export') {
    process.exitCode = await exportCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'chaos') {
    const { values } = parseArgs({
      args: argv.slice(1),
      options: {
        json: { type: 'string' },
        html: { type: 'string' },
        hosts: { type: 'string' },
        rounds: { type: 'string' },
        interval: { type: 'string' },
        'round-timeout': { type: 'string' },
        attacks: { type: 'string' },
      },
    });
    if (process.getuid?.() !== 0) throw new Error('the chaos lab needs root (lab hosts)');
    await chaos(values);
    return;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      count: { type: 'string' },
      json: { type: 'boolean', default: false },
      'state-dir': { type: 'string', default: DEFAULT_STATE_ROOT },
      help: { type: 'boolean', default: false },
    },
  });
  const [group, command] = positionals;
  if (values.help || group !== 'hosts' || !command) {
    process.stdout.write(`${USAGE}\n`);
    if (!values.help) process.exitCode = 2;
    return;
  }
  if (process.getuid?.() !== 0) throw new Error('lab hosts need root (namespaces, veth, mounts)');
  const stateRoot = values['state-dir'];
  const isJson = values.json;
  if (command === 'up') await hostsUp(stateRoot, parseCount(values.count), isJson);
  else if (command === 'down') await hostsDown(stateRoot);
  else if (command === 'list')
    printHosts(
      (await createLab({ stateRoot }).listHosts()).map((h) => h.info),
      isJson,
    );
  else throw new Error(`unknown command "hosts ${command}"\n${USAGE}`);
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`\nosiris-lab: ${error.message}\n`);
  process.exitCode = 1;
});
