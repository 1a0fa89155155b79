#!/usr/bin/env node
// Builds a Node single-executable application (SEA) of the agent for the platform this runs on:
//   node packages/workstation/packaging/build-sea.mjs [outDir]
// 1. esbuild bundles src/cli.ts into one CommonJS file (SEA runs CommonJS only on Node 20).
// 2. node --experimental-sea-config writes the blob, with better-sqlite3's native addon as an asset
//    (src/queue/native-binding.ts extracts and dlopens it at run time).
// 3. postject injects the blob into a copy of this node binary (macOS: then re-sign; Windows: sign).
// Build on each target OS/architecture: the addon and the node binary are platform-specific.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const out = resolve(process.argv[2] ?? join(pkg, 'dist'));
const require = createRequire(join(pkg, 'package.json'));
const { build } = await import(require.resolve('esbuild'));
const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const exe = join(out, process.platform === 'win32' ? 'osiris-agent.exe' : 'osiris-agent');

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(pkg, 'src', 'cli.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(out, 'osiris-agent.cjs'),
  // better-sqlite3 never reaches `bindings` here: the addon is passed in (native-binding.ts).
  external: ['bindings'],
  logLevel: 'warning',
});
writeFileSync(
  join(out, 'sea-config.json'),
  JSON.stringify({
    main: join(out, 'osiris-agent.cjs'),
    output: join(out, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    assets: { 'better_sqlite3.node': addon },
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', join(out, 'sea-config.json')], { stdio: 'inherit' });
copyFileSync(process.execPath, exe);
if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', exe], { stdio: 'inherit' });
const postject = [
  'postject@1.0.0-alpha.6',
  exe,
  'NODE_SEA_BLOB',
  join(out, 'sea-prep.blob'),
  '--sentinel-fuse',
  'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
];
if (process.platform === 'darwin') postject.push('--macho-segment-name', 'NODE_SEA');
execFileSync('npx', ['--yes', ...postject], { stdio: 'inherit', shell: process.platform === 'win32' });
if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', exe], { stdio: 'inherit' });
process.stdout.write(`${exe}\n`);
