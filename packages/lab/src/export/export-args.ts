import { constants } from 'node:fs';
import { access, open, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const MAX_EXPORT_HOSTS = 5;
const TIMEOUT_RANGE_SECONDS = [60, 3600] as const;

export const EXPORT_USAGE = `usage: osiris-lab export --out <file.zip> [--hosts 2] [--timeout 600] [--keep]
Export: builds a small system (central with a loopback RFC 3161 time-stamping authority, a healing
appliance, N lab hosts), attacks one setting per host and lets L1 heal it, issues a time-stamped
tree head and a monthly packet, downloads the auditor export as the practice's auditor, verifies it
and writes it to --out. --hosts 1..${MAX_EXPORT_HOSTS}; --timeout bounds the whole run in seconds
(${TIMEOUT_RANGE_SECONDS[0]}..${TIMEOUT_RANGE_SECONDS[1]}); --keep leaves central running (Ctrl-C stops it).
Then: npx osiris-verify <file.zip>`;

/** Bad command-line input: the CLI prints the message and the usage and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ExportArgs {
  /** Absolute path of the ZIP to write. */
  outPath: string;
  hosts: number;
  timeoutSeconds: number;
  isKeep: boolean;
}

function integerIn(name: string, raw: string | undefined, fallback: number, [min, max]: readonly [number, number]) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Parses `export`'s arguments (after the word `export`); throws UsageError on anything wrong. */
export function parseExportArgs(argv: readonly string[]): ExportArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        hosts: { type: 'string' },
        timeout: { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const out = values.out;
  if (typeof out !== 'string' || out.trim() === '') throw new UsageError('--out <file.zip> is required');
  return {
    outPath: resolve(out),
    hosts: integerIn('hosts', values.hosts as string | undefined, 2, [1, MAX_EXPORT_HOSTS]),
    timeoutSeconds: integerIn('timeout', values.timeout as string | undefined, 600, TIMEOUT_RANGE_SECONDS),
    isKeep: values.keep === true,
  };
}

/** Where the ZIP is written first; renamed over `outPath` once complete. */
export const partialPath = (outPath: string) => `${outPath}.partial`;

/**
 * Fails early (before minutes of work) when the export could not be written: the path must not
 * be a directory or other non-file, and the ZIP's partial file must be creatable beside it.
 */
export async function assertWritable(outPath: string): Promise<void> {
  const parent = dirname(outPath);
  const parentStat = await stat(parent).catch(() => null);
  if (!parentStat?.isDirectory()) throw new UsageError(`--out: directory ${parent} does not exist`);
  const existing = await stat(outPath).catch(() => null);
  if (existing && !existing.isFile()) throw new UsageError(`--out: ${outPath} exists and is not a regular file`);
  try {
    if (existing) await access(outPath, constants.W_OK);
    await (await open(partialPath(outPath), 'w', 0o644)).close();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`--out: cannot write ${existing ? outPath : `in ${parent}`} (${reason})`);
  }
  await rm(partialPath(outPath), { force: true });
}
