import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * A small ustar reader and writer (regular files and directories only) for release tarballs. Our
 * own so that extraction refuses anything but plain files and directories inside the target (no
 * links, no absolute or `..` paths) and so that every byte written goes through one `FileWriter`,
 * whose ENOSPC the installer turns into DISK_FULL.
 */

const BLOCK = 512;

/** Where extracted file bytes go; tests substitute one that runs out of space. */
export interface FileWriter {
  open(path: string, mode: number): number;
  write(fd: number, data: Uint8Array): void;
  close(fd: number): void;
}

const fsWriter: FileWriter = {
  open: (path, mode) => openSync(path, 'w', mode),
  write: (fd, data) => {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  },
  close: (fd) => closeSync(fd),
};

class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, mode: number, size: number, type: '0' | '5'): Buffer {
  const block = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100)
      throw new TarError(`path too long for ustar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  block.write(base, 0, 100, 'utf8');
  block.write(octal(mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(type, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** Packs the tree under `dir` (files and directories; links are refused) into a .tar.gz at `outFile`. */
export async function createTarGz(dir: string, outFile: string): Promise<void> {
  const gzip = createGzip({ level: 9 });
  const out = createWriteStream(outFile, { mode: 0o644 });
  gzip.pipe(out);
  const write = async (chunk: Buffer) => {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  };
  const walk = async (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = join(current, entry.name);
      const name = relative(dir, full).split(sep).join('/');
      const stat = statSync(full);
      if (entry.isSymbolicLink()) throw new TarError(`links are not packed: ${name}`);
      if (entry.isDirectory()) {
        await write(header(`${name}/`, stat.mode, 0, '5'));
        await walk(full);
      } else if (entry.isFile()) {
        const data = readFileSync(full);
        await write(header(name, stat.mode, data.length, '0'));
        await write(data);
        const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
        if (pad > 0) await write(Buffer.alloc(pad));
      }
    }
  };
  await walk(dir);
  gzip.end(Buffer.alloc(BLOCK * 2));
  await finished(out);
}

function readString(block: Buffer, start: number, length: number): string {
  const slice = block.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, start: number, length: number): number {
  const text = readString(block, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarError('corrupt tar header (number field)');
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** A safe relative path inside the target, or an error. */
function safeName(name: string): string {
  const normal = posix.normalize(name).replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal.startsWith('/') || normal.split('/').includes('..'))
    throw new TarError(`unsafe path in tarball: ${name}`);
  return normal;
}

export interface ExtractOptions {
  writer?: FileWriter;
  /** Refuses tarballs that expand beyond this (a gzip bomb from a mistaken build). */
  maxBytes?: number;
}

/** Extracts a .tar.gz into `dest` (which must exist). Returns the number of file bytes written. */
export async function extractTarGz(file: string, dest: string, options: ExtractOptions = {}): Promise<number> {
  const writer = options.writer ?? fsWriter;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024 * 1024;
  const source = createReadStream(file);
  const gunzip = source.pipe(createGunzip());
  source.on('error', (error) => gunzip.destroy(error));
  const chunks = (gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let buffer: Buffer = Buffer.alloc(0);
  /** Reads until at least `n` bytes are buffered; false at the end of the stream. */
  const need = async (n: number): Promise<boolean> => {
    while (buffer.length < n) {
      const next = await chunks.next();
      if (next.done) return false;
      buffer = buffer.length === 0 ? next.value : Buffer.concat([buffer, next.value]);
    }
    return true;
  };
  const take = async (n: number): Promise<Buffer> => {
    if (!(await need(n))) throw new TarError('truncated tarball');
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  };
  let paxPath: string | null = null;
  let total = 0;
  try {
    for (;;) {
      const block = await take(BLOCK);
      if (block.every((byte) => byte === 0)) return total;
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
      if (sum !== readOctal(block, 148, 8)) throw new TarError('corrupt tar header (checksum)');
      const size = readOctal(block, 124, 12);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      const type = String.fromCharCode(block[156] ?? 0);
      const prefix = readString(block, 345, 155);
      const rawName = paxPath ?? (prefix ? `${prefix}/${readString(block, 0, 100)}` : readString(block, 0, 100));
      if (type === 'x' || type === 'g') {
        if (size > 64 * 1024) throw new TarError('pax header too large');
        const record = (await take(size + pad)).subarray(0, size).toString('utf8');
        if (type === 'x') paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(record)?.[1] ?? null;
        continue;
      }
      paxPath = null;
      // `tar -C dir .` starts with the entry `./`: the target itself.
      if (type === '5' && posix.normalize(rawName).replace(/\/+$/, '') === '.') continue;
      const name = safeName(rawName);
      if (type === '5') {
        mkdirSync(join(dest, name), { recursive: true, mode: 0o755 });
        continue;
      }
      if (type !== '0' && type !== '\0')
        throw new TarError(`unsupported entry type "${type}" for ${name} (only files and directories)`);
      total += size;
      if (total > maxBytes) throw new TarError(`tarball expands beyond ${maxBytes} bytes`);
      mkdirSync(join(dest, posix.dirname(name)), { recursive: true, mode: 0o755 });
      const fd = writer.open(join(dest, name), (readOctal(block, 100, 8) & 0o755) | 0o600);
      try {
        let remaining = size;
        while (remaining > 0) {
          if (buffer.length === 0 && !(await need(1))) throw new TarError('truncated tarball');
          const n = Math.min(remaining, buffer.length);
          writer.write(fd, buffer.subarray(0, n));
          buffer = buffer.subarray(n);
          remaining -= n;
        }
      } finally {
        writer.close(fd);
      }
      await take(pad);
    }
  } finally {
    gunzip.destroy();
    source.destroy();
  }
}
