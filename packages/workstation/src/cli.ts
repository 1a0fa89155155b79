import { parseCliArgs, USAGE } from './config/cli-args';
import { ConfigError, resolveSettings } from './config/agent-config';
import { createCommandRunner } from './command-runner';
import { currentOs } from './checks/run-check';
import { dryRun, formatCheckRun } from './dry-run';
import { createJsonLogger } from './logger';
import { runAgent } from './main';
import { AGENT_VERSION } from './version';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.isHelp) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.isVersion) {
    process.stdout.write(
      `osiris-agent ${AGENT_VERSION} (node ${process.version}, ${process.platform}/${process.arch})\n`,
    );
    return 0;
  }
  const os = currentOs();
  const settings = resolveSettings(args, os);
  if (args.isDryRun) {
    const runs = await dryRun(
      { os, run: createCommandRunner({ timeoutMs: settings.command_timeout_seconds * 1000 }) },
      settings.checks,
    );
    for (const run of runs) process.stdout.write(`${formatCheckRun(run)}\n`);
    const counts = ['PASS', 'FAIL', 'ERROR', 'UNSUPPORTED'].map(
      (s) => `${runs.filter((r) => r.status === s).length} ${s}`,
    );
    process.stdout.write(`${counts.join(', ')}\n`);
    return 0;
  }
  await runAgent(settings, os, createJsonLogger());
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `osiris-agent: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
