import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sea from 'node:sea';

/** Asset name of better-sqlite3's native addon inside the single-executable build (packaging/build-sea.mjs). */
const ASSET = 'better_sqlite3.node';

/**
 * In a Node single-executable build, `require` cannot load files, so better-sqlite3 cannot find
 * its addon: the build carries it as an asset, and this writes it (once per content hash) into
 * the agent's data directory and loads it with `process.dlopen`. Outside such a build: undefined,
 * and better-sqlite3 loads its addon from node_modules as usual.
 */
export function loadSqliteAddon(dataDir: string): object | undefined {
  if (!sea.isSea()) return undefined;
  const bytes = Buffer.from(sea.getAsset(ASSET));
  const file = join(dataDir, `better_sqlite3-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.node`);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, bytes, { mode: 0o700 });
    renameSync(`${file}.tmp`, file);
  }
  const addon = { exports: {} };
  process.dlopen(addon, file);
  return addon.exports;
}
