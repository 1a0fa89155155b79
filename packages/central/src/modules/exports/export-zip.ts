import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';

export interface ZipEntry {
  /** Appends to the entry; resolves once the output has room again. */
  write(chunk: Uint8Array | string): Promise<void>;
  /** Ends the entry; answers the hex SHA-256 of everything written to it. */
  end(): Promise<string>;
}

const toBytes = (chunk: Uint8Array | string): Uint8Array =>
  typeof chunk === 'string' ? new Uint8Array(Buffer.from(chunk, 'utf8')) : chunk;

/**
 * A ZIP written to `out` as it is made (fflate's streaming Zip): entries one after another, each
 * deflated chunk by chunk, waiting for `out` to drain so a large export never sits in memory.
 * Every entry's SHA-256 is kept (for the manifest). Aborting `signal` stops at the next write.
 */
export function createZipWriter(out: Writable, signal: AbortSignal, mtime: Date) {
  let failure: Error | null = null;
  const hashes = new Map<string, string>();
  const zip = new Zip((error, data, final) => {
    if (error) {
      failure = error;
      return;
    }
    if (out.destroyed) return;
    out.write(data);
    if (final) out.end();
  });

  /** Throws when aborted or broken; waits while `out` is over its high-water mark. */
  async function settle(): Promise<void> {
    if (failure) throw failure;
    signal.throwIfAborted();
    if (out.destroyed) throw new Error('export output closed');
    if (out.writableNeedDrain) await drained();
  }

  /** Resolves when `out` drains; rejects when it closes first or `signal` aborts. */
  function drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settleWith = (outcome: () => void) => () => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
        outcome();
      };
      const onDrain = settleWith(resolve);
      const onClose = settleWith(() => reject(new Error('export output closed')));
      const onAbort = settleWith(() => reject(signal.reason));
      out.on('drain', onDrain);
      out.on('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function entry(path: string): ZipEntry {
    if (hashes.has(path)) throw new Error(`duplicate ZIP entry ${path}`);
    const file = new ZipDeflate(path, { level: 6 });
    file.mtime = mtime;
    zip.add(file);
    const hash = createHash('sha256');
    return {
      async write(chunk) {
        const bytes = toBytes(chunk);
        if (bytes.length === 0) return;
        hash.update(bytes);
        file.push(bytes);
        await settle();
      },
      async end() {
        file.push(new Uint8Array(0), true);
        const digest = hash.digest('hex');
        hashes.set(path, digest);
        await settle();
        return digest;
      },
    };
  }

  return {
    entry,
    /** A whole file at once; answers its SHA-256. */
    async add(path: string, content: Uint8Array | string): Promise<string> {
      const file = entry(path);
      await file.write(content);
      return file.end();
    },
    /** SHA-256 of every entry written so far, by path. */
    hashes: (): Record<string, string> => Object.fromEntries(hashes),
    /** Writes the central directory and ends `out`. */
    async finish(): Promise<void> {
      zip.end();
      await settle();
    },
  };
}

export type ZipWriter = ReturnType<typeof createZipWriter>;
