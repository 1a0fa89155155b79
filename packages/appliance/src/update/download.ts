import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import type { FetchImpl } from '../sync/central-client';
import { createWaiter } from '../daemon/sleep';
import { isDiskFull, UpdateFailure } from './update-failure';

export interface DownloadOptions {
  url: string;
  token: string;
  /** The partial file; what it already holds is kept and the rest requested with `Range`. */
  file: string;
  expectedSize: number;
  expectedSha256: string;
  fetchImpl?: FetchImpl;
  signal?: AbortSignal;
  /** Attempts (each resuming where the previous stopped) before giving up. */
  attempts?: number;
  retryDelayMs?: number;
  onProgress?: (bytes: number) => void;
}

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * Downloads the artifact into `file`, resuming a partial file with HTTP Range, then checks its size
 * and SHA-256 against the signed manifest. A wrong hash deletes the file (it can never become
 * right); an interrupted transfer keeps it for the next attempt. Returns the bytes held.
 */
export async function downloadArtifact(options: DownloadOptions): Promise<number> {
  const attempts = options.attempts ?? 5;
  const waiter = createWaiter();
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) throw new UpdateFailure('INTERRUPTED', 'the download was stopped');
    try {
      await fetchRest(options);
      lastError = null;
      break;
    } catch (error) {
      if (error instanceof UpdateFailure && error.code !== 'DOWNLOAD_FAILED') throw error;
      lastError = error;
      if (attempt < attempts)
        await waiter.wait((options.retryDelayMs ?? 2000) * attempt, options.signal ?? new AbortController().signal);
    }
  }
  if (lastError) throw lastError;
  const held = sizeOf(options.file);
  if (held !== options.expectedSize) {
    rmSync(options.file, { force: true });
    throw new UpdateFailure(
      'SIZE_MISMATCH',
      `the artifact has ${held} bytes; the manifest says ${options.expectedSize}`,
    );
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(options.file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== options.expectedSha256) {
    rmSync(options.file, { force: true });
    throw new UpdateFailure(
      'HASH_MISMATCH',
      `the artifact's SHA-256 is ${actual}; the signed manifest says ${options.expectedSha256}`,
    );
  }
  return held;
}

async function fetchRest(options: DownloadOptions): Promise<void> {
  let offset = sizeOf(options.file);
  if (offset > options.expectedSize) {
    truncateSync(options.file, 0);
    offset = 0;
  }
  if (offset === options.expectedSize) return;
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(options.url, {
      headers: { authorization: `Bearer ${options.token}`, ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw new UpdateFailure('DOWNLOAD_FAILED', `cannot reach central: ${(error as Error).message}`, { cause: error });
  }
  if (response.status === 416 && offset > 0) {
    // Central no longer serves that range (another artifact?): start over.
    truncateSync(options.file, 0);
    throw new UpdateFailure('DOWNLOAD_FAILED', 'central refused the resume range; restarting the download');
  }
  if (response.status !== 200 && response.status !== 206)
    throw new UpdateFailure('DOWNLOAD_FAILED', `central answered HTTP ${response.status} for the artifact`);
  if (response.status === 206) {
    const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
    if (Number(start) !== offset)
      throw new UpdateFailure('DOWNLOAD_FAILED', 'central resumed at another offset than asked');
  } else {
    offset = 0; // a full answer: start the file over
  }
  const fd = openSync(options.file, offset === 0 ? 'w' : 'a', 0o600);
  let written = offset;
  try {
    if (!response.body) throw new UpdateFailure('DOWNLOAD_FAILED', 'central sent no artifact body');
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      written += chunk.length;
      if (written > options.expectedSize)
        throw new UpdateFailure(
          'SIZE_MISMATCH',
          `central sent more than the ${options.expectedSize} bytes of the manifest`,
        );
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
      options.onProgress?.(written);
    }
  } catch (error) {
    if (error instanceof UpdateFailure) {
      if (error.code === 'SIZE_MISMATCH') rmSync(options.file, { force: true });
      throw error;
    }
    if (isDiskFull(error)) throw new UpdateFailure('DISK_FULL', 'no space left for the download', { cause: error });
    throw new UpdateFailure(
      'DOWNLOAD_FAILED',
      `the download broke off at ${written} bytes: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    closeSync(fd);
  }
}
