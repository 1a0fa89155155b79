import { type UnzipFileInfo, unzipSync } from 'fflate';

/**
 * Reading an auditor export ZIP (export-format.ts) in memory, in Node or a browser. The archive is
 * untrusted input: entry names must be safe relative paths, each name may occur once, and the
 * uncompressed sizes the archive declares are capped before anything is inflated. fflate inflates
 * a deflated entry into a buffer of exactly its declared size, so a lying entry cannot grow past
 * the cap (it comes out truncated, and its SHA-256 in the manifest then no longer matches).
 */

/** The files of an export, by their path inside the ZIP. */
export interface ExportFiles {
  paths(): string[];
  read(path: string): Uint8Array | undefined;
}

interface UnzipLimits {
  /** Sum of the declared uncompressed sizes of all entries. */
  maxTotalBytes: number;
  maxEntries: number;
}

const EXPORT_UNZIP_LIMITS: UnzipLimits = { maxTotalBytes: 2 * 1024 ** 3, maxEntries: 1_000_000 };

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;
const MAX_PATH_CHARS = 300;

/** Why a name is not a safe relative path, or null when it is. Directory entries end with "/". */
function unsafePathReason(name: string): string | null {
  const path = name.endsWith('/') ? name.slice(0, -1) : name;
  if (path.length === 0) return 'an empty name';
  if (path.length > MAX_PATH_CHARS) return `a name longer than ${MAX_PATH_CHARS} characters`;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return 'an empty, "." or ".." path segment';
    if (!SAFE_SEGMENT.test(segment)) return 'characters outside A-Z a-z 0-9 . _ -';
    if (segment === '__proto__') return 'a reserved name';
  }
  return null;
}

/** An ExportFiles over files already in memory (tests, or a caller that unpacked the ZIP itself). */
export function exportFilesFromMap(files: ReadonlyMap<string, Uint8Array>): ExportFiles {
  return {
    paths: () => [...files.keys()],
    read: (path) => files.get(path),
  };
}

/**
 * Unpacks an export ZIP. Throws an Error naming the problem when the bytes are not a ZIP, an entry
 * has an unsafe or repeated name, uses another compression than stored/deflate, or the archive
 * exceeds `limits` (2 GiB uncompressed and one million entries by default).
 */
export function unzipExport(zip: Uint8Array, limits: UnzipLimits = EXPORT_UNZIP_LIMITS): ExportFiles {
  if (!(zip instanceof Uint8Array)) throw new TypeError('unzipExport: expected the ZIP bytes');
  const seen = new Set<string>();
  let entries = 0;
  let totalBytes = 0;
  const filter = (info: UnzipFileInfo): boolean => {
    entries += 1;
    if (entries > limits.maxEntries) throw new Error(`the ZIP has more than ${limits.maxEntries} entries`);
    const reason = unsafePathReason(info.name);
    if (reason) throw new Error(`the ZIP entry ${JSON.stringify(info.name.slice(0, 100))} has ${reason}`);
    if (seen.has(info.name)) throw new Error(`the ZIP entry ${info.name} occurs twice`);
    seen.add(info.name);
    if (info.compression !== 0 && info.compression !== 8) {
      throw new Error(
        `the ZIP entry ${info.name} uses compression method ${info.compression} (only stored or deflate)`,
      );
    }
    totalBytes += Math.max(info.size, info.originalSize);
    if (totalBytes > limits.maxTotalBytes) {
      throw new Error(`the ZIP unpacks to more than ${limits.maxTotalBytes} bytes`);
    }
    return !info.name.endsWith('/');
  };
  let unpacked: Record<string, Uint8Array>;
  try {
    unpacked = unzipSync(zip, { filter });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.startsWith('the ZIP') ? message : `not a readable ZIP: ${message}`, { cause: error });
  }
  return exportFilesFromMap(new Map(Object.entries(unpacked)));
}
