import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTarGz } from './tar';

/**
 * `release pack`: "the built appliance" as a tarball that runs with only `node` (20+):
 *
 *   bin/osiris-appliance        the entry (a small ES module that loads lib/cli.mjs)
 *   lib/cli.mjs                 the CLI and daemon bundled with esbuild (all pure-JS dependencies inside)
 *   node_modules/better-sqlite3 the one native dependency, with its compiled binary for this platform
 *   VERSION                     the release version; the bundle reports the same
 *
 * The native binary is the one built on the packing machine: pack on the platform (OS, CPU, Node
 * ABI) the appliances run.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Left out of the bundle: better-sqlite3 (native) is shipped beside it; ssh2's optional native
 * accelerators are skipped (it falls back to JS); esbuild is only for `release pack`, which runs
 * from the repository, never from a release.
 */
const EXTERNAL = ['better-sqlite3', 'cpu-features', 'esbuild', '*.node'];
/** Runtime files of better-sqlite3 and its loader chain. */
const NATIVE_PACKAGES = [
  { name: 'better-sqlite3', files: ['package.json', 'lib', 'build/Release/better_sqlite3.node', 'LICENSE'] },
  { name: 'bindings', files: null },
  { name: 'file-uri-to-path', files: null },
];

const BANNER = [
  "import { createRequire as __osirisCreateRequire } from 'node:module';",
  "import { dirname as __osirisDirname } from 'node:path';",
  "import { fileURLToPath as __osirisFileUrlToPath } from 'node:url';",
  'const require = __osirisCreateRequire(import.meta.url);',
  'const __filename = __osirisFileUrlToPath(import.meta.url);',
  'const __dirname = __osirisDirname(__filename);',
].join('\n');

const ENTRY = `#!/usr/bin/env node
// OsirisCare appliance (release build): runs the bundled CLI.
const { runCli } = await import('../lib/cli.mjs');
process.exitCode = await runCli(process.argv.slice(2), process.env);
`;

interface PackResult {
  file: string;
  sizeBytes: number;
}

/** Builds the release tree in a temp dir, checks that `node bin/osiris-appliance --version` answers `version`, and tars it. */
export async function packRelease(options: { version: string; outFile: string; log?: (line: string) => void }) {
  const log = options.log ?? (() => undefined);
  const require = createRequire(import.meta.url);
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const work = mkdtempSync(join(tmpdir(), 'osiris-pack-'));
  try {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    log(`bundling ${join(SRC, 'cli.ts')}`);
    await esbuild.build({
      entryPoints: [join(SRC, 'cli.ts')],
      outfile: join(tree, 'lib', 'cli.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: EXTERNAL,
      legalComments: 'linked',
      logLevel: 'warning',
      // CommonJS dependencies use require() and __dirname; give the ES module bundle both.
      banner: { js: BANNER },
      plugins: [
        {
          name: 'release-version',
          setup(build) {
            build.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
              contents: `export const APPLIANCE_VERSION = ${JSON.stringify(options.version)};\n`,
              loader: 'ts',
            }));
          },
        },
      ],
    });
    for (const pkg of NATIVE_PACKAGES) {
      const from = dirname(require.resolve(`${pkg.name}/package.json`));
      const to = join(tree, 'node_modules', pkg.name);
      for (const file of pkg.files ?? ['.']) {
        const source = join(from, file);
        if (!existsSync(source)) {
          if (file === 'LICENSE') continue;
          throw new Error(`cannot pack: ${source} is missing (is ${pkg.name} built?)`);
        }
        cpSync(source, join(to, file), { recursive: true, dereference: true });
      }
    }
    writeFileSync(join(tree, 'bin', 'osiris-appliance'), ENTRY);
    chmodSync(join(tree, 'bin', 'osiris-appliance'), 0o755);
    writeFileSync(join(tree, 'VERSION'), `${options.version}\n`);
    const answer = execFileSync(process.execPath, [join(tree, 'bin', 'osiris-appliance'), '--version'], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '' },
    }).trim();
    if (answer !== options.version)
      throw new Error(`the built appliance answers --version with "${answer}", expected ${options.version}`);
    log(`the built appliance starts and reports ${answer}`);
    mkdirSync(dirname(resolve(options.outFile)), { recursive: true });
    await createTarGz(tree, options.outFile);
    return { file: options.outFile, sizeBytes: readFileSync(options.outFile).length } satisfies PackResult;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
