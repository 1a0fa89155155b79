import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PACKAGES_DIR } from './appliance-process';

/** The bundle's entry file name inside the directory {@link agentBundleDir} returns. */
const AGENT_BUNDLE_ENTRY = 'osiris-agent.cjs';

/**
 * The agent's one native dependency and its loader chain, copied beside the bundle (the files
 * better-sqlite3 needs at run time, not its sources or build tree).
 */
const NATIVE = [
  { name: 'better-sqlite3', paths: ['package.json', 'lib', 'build/Release/better_sqlite3.node'] },
  { name: 'bindings', paths: ['.'] },
  { name: 'file-uri-to-path', paths: ['.'] },
] as const;

let built: Promise<string> | null = null;

async function buildBundle(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'osiris-lab-agent-bin-'));
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  await esbuild.build({
    entryPoints: [join(PACKAGES_DIR, 'workstation', 'src', 'cli.ts')],
    outfile: join(out, AGENT_BUNDLE_ENTRY),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'warning',
  });
  const require = createRequire(join(PACKAGES_DIR, 'workstation', 'package.json'));
  for (const pkg of NATIVE) {
    const from = dirname(require.resolve(`${pkg.name}/package.json`));
    for (const path of pkg.paths)
      cpSync(join(from, path), join(out, 'node_modules', pkg.name, path), { recursive: true, dereference: true });
  }
  return out;
}

/**
 * A self-contained build of `osiris-agent` (one esbuild bundle plus better-sqlite3), made once per
 * process. A lab host sees only its own /tmp, /etc, /var, /home, /root and /run, so the agent cannot
 * run from the repository when the repository lives under one of those (a CI clone in /tmp): the
 * lab copies this directory into the host's shared state dir and runs it from there.
 */
function agentBundleDir(): Promise<string> {
  built ??= buildBundle().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

/** Copies the bundle to `dir` (created); returns the entry file's path relative to `dir`. */
export async function copyAgentBundle(dir: string): Promise<string> {
  const source = await agentBundleDir();
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  cpSync(source, dir, { recursive: true });
  return AGENT_BUNDLE_ENTRY;
}
