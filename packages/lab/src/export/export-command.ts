import { assertWritable, EXPORT_USAGE, type ExportArgs, parseExportArgs, UsageError } from './export-args';
import { formatSummary } from './export-report';
import { runExport } from './export-run';

const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

const err = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

async function parse(argv: readonly string[]): Promise<ExportArgs | null> {
  try {
    const args = parseExportArgs(argv);
    await assertWritable(args.outPath);
    return args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`osiris-lab export: ${error.message}\n${EXPORT_USAGE}`);
    return null;
  }
}

/**
 * `osiris-lab export …`: answers the exit code (0 done, 2 bad input, 130 interrupted); other
 * failures throw. The first Ctrl-C (or SIGTERM) stops the run and removes what it made (with
 * --keep: ends browsing and removes everything); a second one exits at once.
 */
export async function exportCommand(argv: readonly string[]): Promise<number> {
  const args = await parse(argv);
  if (!args) return EXIT_USAGE;
  if (process.getuid?.() !== 0) throw new Error('the export lab needs root (lab hosts)');
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    err(`\n${name}: stopping and removing the lab hosts, appliance, central and TSA (again to exit at once)`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    err(`building a lab system with ${args.hosts} host(s) for an auditor export (at most ${args.timeoutSeconds} s)`);
    const run = await runExport({
      outPath: args.outPath,
      hosts: args.hosts,
      timeoutSeconds: args.timeoutSeconds,
      isKeep: args.isKeep,
      signal: controller.signal,
      progress: err,
    });
    out(formatSummary({ ...run, result: run.verification }));
    if (run.kept) {
      out(
        [
          '',
          `Central is still running at ${run.kept.centralUrl} (in-memory; gone when this stops).`,
          `  sign in (read-only staff, this run only): ${run.kept.email} / ${run.kept.password}`,
          `  web app: ${run.kept.centralUrl}/  (API: ${run.kept.centralUrl}/v1/practices/${run.practiceId})`,
          'Press Ctrl-C to stop it and remove the lab hosts.',
        ].join('\n'),
      );
      await new Promise((resolve) => controller.signal.addEventListener('abort', resolve, { once: true }));
      for (const failure of await run.kept.close()) err(`cleanup failed: ${failure}`);
      err('stopped; everything the run made is removed');
    }
    return 0;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    err('interrupted; everything the run made is removed');
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
