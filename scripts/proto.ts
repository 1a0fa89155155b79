/**
 * Generates the TypeScript of the agent <-> appliance contract (packages/protocol/proto) into
 * packages/protocol/src/gen with buf and protoc-gen-es, both installed from npm (a local plugin:
 * nothing is fetched from the Buf Schema Registry or anywhere else).
 *
 *   npx tsx scripts/proto.ts           regenerate packages/protocol/src/gen
 *   npx tsx scripts/proto.ts --check   generate into a temporary directory; exit 1 with a summary of
 *                                      the differences when that is not what is committed
 *
 * `npm run proto:gen` / `npm run proto:check` also format-check and lint the .proto files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROTOCOL = join(ROOT, 'packages/protocol');
const GEN = 'src/gen'; // relative to PROTOCOL, as `out` in packages/protocol/buf.gen.yaml
const BUF = join(ROOT, 'node_modules/.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

function buf(args: string[]): boolean {
  const result = spawnSync(BUF, args, { cwd: PROTOCOL, stdio: 'inherit' });
  if (result.error) console.error(`proto: cannot run ${BUF}: ${result.error.message}`);
  return result.status === 0;
}

/** Paths of all files under dir, relative to it, sorted; empty when dir does not exist. */
function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A line for the summary: JSON-quoted, cut to 120 characters (generated descriptors are long). */
function clip(line: string | undefined): string {
  if (line === undefined) return '<end of file>';
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

/** One entry per difference between the committed and the freshly generated tree. */
function compareTrees(committedDir: string, freshDir: string): string[] {
  const committed = listFiles(committedDir);
  const fresh = listFiles(freshDir);
  const differences: string[] = [];
  for (const file of fresh.filter((f) => !committed.includes(f))) differences.push(`missing: ${file}`);
  for (const file of committed.filter((f) => !fresh.includes(f))) differences.push(`stale: ${file}`);
  for (const file of fresh.filter((f) => committed.includes(f))) {
    const was = readFileSync(join(committedDir, file), 'utf8').split('\n');
    const now = readFileSync(join(freshDir, file), 'utf8').split('\n');
    const length = Math.max(was.length, now.length);
    const changed = Array.from({ length }, (_, i) => i).filter((i) => was[i] !== now[i]);
    const first = changed[0];
    if (first === undefined) continue;
    differences.push(
      `differs: ${file} (${changed.length} of ${length} lines), first at line ${first + 1}:\n` +
        `    committed: ${clip(was[first])}\n` +
        `    generated: ${clip(now[first])}`,
    );
  }
  return differences;
}

function check(): number {
  const out = mkdtempSync(join(tmpdir(), 'osiris-proto-'));
  try {
    if (!buf(['generate', '--output', out])) return 1;
    const differences = compareTrees(join(PROTOCOL, GEN), join(out, GEN));
    if (differences.length > 0) {
      console.error(`proto: packages/protocol/${GEN} differs from what the .proto files generate:`);
      for (const difference of differences) console.error(`  ${difference}`);
      console.error('Run `npm run proto:gen` and commit the result.');
      return 1;
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`proto: packages/protocol/${GEN} is up to date`);
  return 0;
}

function generate(): number {
  if (!buf(['generate'])) return 1;
  console.log(`proto: generated packages/protocol/${GEN}`);
  return 0;
}

process.exitCode = process.argv.includes('--check') ? check() : generate();
