import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type ExportFiles,
  type ExportVerifyOptions,
  type ExportVerifyResult,
  parsePemCertificates,
  unzipExport,
  verifyExport,
} from '@osiris/protocol';
import { type CliOptions, parseArgs, USAGE } from './cli-args';
import { formatResult, terminalSafe } from './report';

/** Where the CLI writes; the real process streams in production, buffers in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: then progress redraws one line, else only milestones are printed. */
  isTty: boolean;
}

const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stderr.isTTY === true,
});

class UsageError extends Error {}

async function readTrust(files: string[]): Promise<Uint8Array[]> {
  const certificates: Uint8Array[] = [];
  for (const file of files) {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --tsa-ca ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    try {
      certificates.push(...parsePemCertificates(pem));
    } catch (error) {
      throw new UsageError(`--tsa-ca ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return certificates;
}

/** Progress on stderr: a redrawn line on a terminal, else one line when a step starts. */
function progressReporter(io: CliIo, quiet: boolean): NonNullable<ExportVerifyOptions['onProgress']> {
  let lastStep = '';
  let lastDrawMs = 0;
  return ({ step, done, total }) => {
    if (quiet) return;
    if (!io.isTty) {
      if (step !== lastStep) io.stderr(`checking ${step}…\n`);
      lastStep = step;
      return;
    }
    const now = Date.now();
    if (step === lastStep && done !== total && now - lastDrawMs < 100) return;
    lastStep = step;
    lastDrawMs = now;
    io.stderr(`\r\x1b[2K${step}: ${done}/${total}`);
  };
}

async function run(options: CliOptions, io: CliIo): Promise<{ result: ExportVerifyResult } | { unzipError: string }> {
  const tsaTrust = await readTrust(options.tsaCaFiles);
  let zip: Uint8Array;
  try {
    zip = new Uint8Array(await readFile(options.zipPath));
  } catch (error) {
    throw new UsageError(`cannot read ${options.zipPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let files: ExportFiles;
  try {
    files = unzipExport(zip);
  } catch (error) {
    return { unzipError: error instanceof Error ? error.message : String(error) };
  }
  const verifyOptions: ExportVerifyOptions = { onProgress: progressReporter(io, options.quiet) };
  if (tsaTrust.length > 0) verifyOptions.tsaTrust = tsaTrust;
  if (options.logKey !== undefined) verifyOptions.pinnedLogKey = options.logKey;
  const result = await verifyExport(files, verifyOptions);
  if (io.isTty && !options.quiet) io.stderr('\r\x1b[2K');
  return { result };
}

/** Runs the CLI and returns its exit status: 0 verified, 1 a check failed, 2 usage or unreadable file. */
export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(`osiris-verify: ${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  const { options } = parsed;
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run(options, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`osiris-verify: ${error.message}\n`);
    return 2;
  }
  if ('unzipError' in outcome) {
    const failure = { item: basename(options.zipPath), step: 'unzip', message: outcome.unzipError };
    if (options.json) io.stdout(`${terminalSafe(JSON.stringify({ ok: false, failure }, null, 2))}\n`);
    else io.stdout(`${terminalSafe(`FAILED: ${failure.item}: ${failure.message}`)}\n`);
    return 1;
  }
  const { result } = outcome;
  if (options.json) io.stdout(`${terminalSafe(JSON.stringify(result, null, 2))}\n`);
  else if (!options.quiet) io.stdout(formatResult(result));
  else if (!result.ok) io.stdout(`${terminalSafe(`FAILED: ${result.failure.item}: ${result.failure.message}`)}\n`);
  return result.ok ? 0 : 1;
}
