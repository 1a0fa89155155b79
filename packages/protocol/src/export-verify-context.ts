import type { Ed25519VerifyKey } from './crypto';
import type { ExportManifest, ExportTreeHead } from './export-format';
import type { ExportFiles } from './export-unzip';

/** Shared types and helpers of the export verifier (export-verify*.ts). */

export interface ExportVerifyOptions {
  /** DER certificates of trusted TSAs or their CAs; default: the PEM certificates in tsa/trusted-certs.pem. */
  tsaTrust?: Uint8Array[];
  /** The log key as the auditor got it elsewhere: base64url public key or 16-hex key id. */
  pinnedLogKey?: string;
  onProgress?: (progress: { step: string; done: number; total: number }) => void;
}

export interface ExportSummary {
  practiceName: string | null;
  period: { from: string; to: string } | null;
  appliances: number;
  bundles: number;
  proofs: number;
  treeHeads: number;
  consistencyProofs: number;
  tsaTokens: number;
  tsaTrustSource: 'export' | 'option' | 'none';
  packets: number;
  files: number;
  warnings: string[];
}

type ExportVerifyFailure = { item: string; step: string; message: string };

export type ExportVerifyResult =
  | { ok: true; summary: ExportSummary; steps: string[] }
  | { ok: false; summary: ExportSummary; steps: string[]; failure: ExportVerifyFailure };

/** Thrown by a step to stop verification at the first item that does not hold. */
export class ExportCheckFailure extends Error {
  constructor(
    readonly item: string,
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyContext {
  files: ExportFiles;
  options: ExportVerifyOptions;
  summary: ExportSummary;
  /** One line per step that held. */
  steps: string[];
  progress(step: string, done: number, total: number): void;
}

/** What the first steps establish and the later ones rely on. */
export interface VerifiedLog {
  manifest: ExportManifest;
  logKey: Ed25519VerifyKey;
  heads: ExportTreeHead[];
  /** The last head: every inclusion proof is against it. */
  head: ExportTreeHead;
}

/** Messages quote the export (zod issues name its keys): keep them readable whatever it holds. */
const MAX_MESSAGE_CHARS = 500;

export function fail(item: string, step: string, message: string): never {
  const bounded = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
  throw new ExportCheckFailure(item, step, bounded);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file as UTF-8 text; a missing file or invalid UTF-8 is a failure of `step`. */
export function readText(ctx: VerifyContext, path: string, step: string): string {
  const bytes = ctx.files.read(path);
  if (bytes === undefined) fail(path, step, 'is missing from the export');
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(path, step, 'is not valid UTF-8 text');
  }
}

export function parseJson(text: string, item: string, step: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return fail(item, step, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function readJson(ctx: VerifyContext, path: string, step: string): unknown {
  return parseJson(readText(ctx, path, step), path, step);
}

/** The first zod issue as "path: message". */
export function describeIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the schema';
  const where = issue.path.map(String).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** The file's bytes; a missing file is a failure of `step`, unless `mayBeAbsent` (then it reads as empty). */
export function readBytes(ctx: VerifyContext, path: string, step: string, mayBeAbsent = false): Uint8Array {
  const bytes = ctx.files.read(path);
  if (bytes !== undefined) return bytes;
  if (mayBeAbsent) return new Uint8Array(0);
  return fail(path, step, 'is missing from the export');
}

const NEWLINE = 0x0a;

/**
 * Calls `visit(line, lineNumber)` for each line of a JSON Lines file. Lines are cut from the bytes
 * and decoded one at a time, so a file far larger than the longest string a JavaScript engine
 * allows still reads. Lines are numbered from 1; a missing final "\n" is tolerated, an empty line
 * or invalid UTF-8 is not.
 */
export async function forEachLine(
  bytes: Uint8Array,
  item: string,
  step: string,
  visit: (line: string, lineNumber: number) => void | Promise<void>,
): Promise<number> {
  let start = 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(NEWLINE, start);
    const stop = end === -1 ? bytes.length : end;
    lineNumber += 1;
    if (stop === start) fail(`${item} line ${lineNumber}`, step, 'is empty');
    let line: string;
    try {
      line = utf8.decode(bytes.subarray(start, stop));
    } catch {
      return fail(`${item} line ${lineNumber}`, step, 'is not valid UTF-8 text');
    }
    await visit(line, lineNumber);
    start = stop + 1;
  }
  return lineNumber;
}
