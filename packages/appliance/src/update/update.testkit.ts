import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  bytesToBase64Url,
  generateSigningKeyPair,
  type SignedReleaseManifest,
  signReleaseManifest,
  type UpdateStatusReport,
} from '@osiris/protocol';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { createInstaller, type InstallerDeps } from './installer';
import { createUpdateReporter } from './reporter';
import { pointLinkAt, updatePaths, writeState } from './state';
import { createTarGz } from './tar';

/** Test helpers for the updater: temp dirs, fake releases, a signing key, a small artifact server. */

export const TEST_TOKEN = 'appliance-token-for-update-tests';
export const TEST_ROLLOUT = '7d4a0f7e-3a55-4d0e-9d43-5a0c1d3f1b20';

/** Polls `probe` every 25 ms until it returns something truthy. */
export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A store in `dir` registered with the artifact server as central (token TEST_TOKEN). */
export function registeredStore(dir: string, centralUrl: string, key: { publicB64: string }): Store {
  const store = openStore(dir);
  store.registration.save({
    applianceId: '0b8e5f0e-7d64-4a43-9d0e-1f6f3c1b9a11',
    siteId: '5b1f3f64-1b7a-4d55-b8cc-9c1e8a8f7a22',
    token: TEST_TOKEN,
    orderSigningPublicKey: key.publicB64,
    centralUrl,
    registeredAt: new Date().toISOString(),
  });
  return store;
}

/** The reports central received, as `state` or `state:ERROR_CODE`. */
export const reportStates = (server: ArtifactServer) =>
  server.reports.map((r) => (r.errorCode ? `${r.state}:${r.errorCode}` : r.state));

const HERE = dirname(fileURLToPath(import.meta.url));
const TSX_API = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
).href;
const STATE_MODULE = pathToFileURL(join(HERE, 'state.ts')).href;

export function tempDir(prefix: string, dirs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export const removeDirs = (dirs: string[]) => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};

/**
 * How a fake release's daemon behaves: `healthy` passes the gate (through the real state module)
 * after `gateDelayMs` and runs until SIGTERM; `crash` exits 1 at once; `hang` never passes and
 * waits for SIGTERM; `gate-fail` exits with the gate-failed code after `gateDelayMs`.
 */
export type FakeBehaviour = 'healthy' | 'crash' | 'hang' | 'gate-fail';

/** A bin script standing in for the appliance; it appends `start <version> <slot>` to <root>/events.log. */
function fakeBin(version: string, behaviour: FakeBehaviour, gateDelayMs = 0): string {
  return `#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const slot = process.env.OSIRIS_APPLIANCE_UPDATE_SLOT ?? null;
const log = (line) => appendFileSync(join(root, 'events.log'), line + '\\n');
if (process.argv[2] === '--version') { console.log(${JSON.stringify(version)}); process.exit(0); }
log('start ${version} ' + slot + ' ' + process.pid);
process.on('SIGTERM', () => { log('stop ${version} ' + slot); process.exit(0); });
const behaviour = ${JSON.stringify(behaviour)};
if (behaviour === 'crash') process.exit(1);
setInterval(() => undefined, 60_000);
if (behaviour === 'gate-fail') setTimeout(() => process.exit(76), ${gateDelayMs});
if (behaviour === 'healthy') {
  setTimeout(async () => {
    const { tsImport } = await import(${JSON.stringify(TSX_API)});
    const s = await tsImport(${JSON.stringify(STATE_MODULE)}, import.meta.url);
    const paths = s.updatePaths(root);
    const state = s.readState(paths);
    if (state?.pending?.slot === slot) {
      s.writeState(paths, s.markPendingGood(state));
      s.pointLinkAt(paths.good, slot);
      log('healthy ${version} ' + slot);
    }
  }, ${gateDelayMs});
}
`;
}

/** Writes a release tree (bin + VERSION) into `dir`. */
export function writeFakeTree(
  dir: string,
  version: string,
  behaviour: FakeBehaviour,
  gateDelayMs = 0,
  bulkBytes = 200_000,
): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin', 'osiris-appliance'), fakeBin(version, behaviour, gateDelayMs));
  chmodSync(join(dir, 'bin', 'osiris-appliance'), 0o755);
  writeFileSync(join(dir, 'VERSION'), `${version}\n`);
  // Some incompressible bulk (like a real bundle), so the tarball is large enough to break off
  // mid-download and extraction takes many writes.
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'lib', 'bulk.bin'), randomBytes(bulkBytes));
}

export async function fakeReleaseTarball(
  dirs: string[],
  version: string,
  behaviour: FakeBehaviour,
  bulkBytes?: number,
): Promise<{ file: string; bytes: Buffer; sha256: string }> {
  const work = tempDir('osiris-fake-release-', dirs);
  writeFakeTree(join(work, 'tree'), version, behaviour, 0, bulkBytes);
  const file = join(work, `${version}.tar.gz`);
  await createTarGz(join(work, 'tree'), file);
  const bytes = readFileSync(file);
  return { file, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** An install root with `version` in slot a (known good), `current` and `good` pointing at it. */
export function installedRoot(
  dirs: string[],
  version: string,
  behaviour: FakeBehaviour = 'healthy',
  at?: { root: string; bulkBytes: number },
) {
  const root = at?.root ?? tempDir('osiris-root-', dirs);
  const paths = updatePaths(root);
  writeFakeTree(paths.slot('a'), version, behaviour, 0, at?.bulkBytes);
  pointLinkAt(paths.current, 'a');
  pointLinkAt(paths.good, 'a');
  writeState(paths, { schemaVersion: 1, knownGood: 'a', knownGoodVersion: version, pending: null, outbox: [] });
  return { root, paths };
}

export const events = (root: string): string[] => {
  try {
    return readFileSync(join(root, 'events.log'), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

export async function releaseKey() {
  const pair = await generateSigningKeyPair();
  return { ...pair, publicB64: bytesToBase64Url(pair.publicKey) };
}

export async function signedManifest(
  key: { privateKey: Uint8Array; publicKey: Uint8Array },
  release: { bytes: Buffer; sha256: string },
  version: string,
  minUpgradeFrom: string | null = null,
): Promise<SignedReleaseManifest> {
  return signReleaseManifest(
    {
      schemaVersion: 1,
      product: 'osiris-appliance',
      version,
      sha256: release.sha256,
      sizeBytes: release.bytes.length,
      minUpgradeFrom,
      notes: 'test release',
      builtAt: new Date().toISOString(),
    },
    key.privateKey,
    key.publicKey,
  );
}

export interface ArtifactServer {
  url: string;
  /** Range header (or null) and bearer token of every artifact request. */
  requests: { range: string | null; authorization: string | null }[];
  reports: UpdateStatusReport[];
  /** Serve this artifact body. */
  artifact: Buffer;
  /** Cut the first response after this many bytes (the connection is destroyed). */
  cutFirstAt: number | null;
  /** Answer update-status with 503 while true (central away). */
  reportsDown: boolean;
  /** Send the first response up to this many bytes and then nothing more (a stalled transfer). */
  stallFirstAt: number | null;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });

/** Central's two update endpoints as a small real HTTP server (Range honoured on the artifact). */
export async function startArtifactServer(artifact: Buffer, token: string): Promise<ArtifactServer> {
  const state: ArtifactServer = {
    url: '',
    requests: [],
    reports: [],
    artifact,
    cutFirstAt: null,
    reportsDown: false,
    stallFirstAt: null,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/appliance/update-status') {
      const body = JSON.parse(await readBody(req)) as UpdateStatusReport;
      if (state.reportsDown) {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"error":{"code":"UNAVAILABLE","message":"down"}}');
        return;
      }
      state.reports.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'GET' && /^\/v1\/appliance\/releases\/[^/]+\/artifact$/.test(req.url ?? '')) {
      const range = req.headers.range ?? null;
      state.requests.push({ range, authorization: req.headers.authorization ?? null });
      const body = state.artifact;
      let start = 0;
      if (range) {
        const match = /^bytes=(\d+)-$/.exec(range);
        start = Number(match?.[1]);
        if (!match || start >= body.length) {
          res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
          return;
        }
        res.writeHead(206, {
          'content-type': 'application/octet-stream',
          'content-length': body.length - start,
          'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        });
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      }
      if (state.stallFirstAt !== null && state.requests.length === 1) {
        res.write(body.subarray(start, state.stallFirstAt));
        return;
      }
      if (state.cutFirstAt !== null && state.requests.length === 1) {
        res.write(body.subarray(start, state.cutFirstAt), () => setTimeout(() => res.destroy(), 50));
        return;
      }
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** Where the install driver SIGKILLs itself: an installer step, or `unpacking` (after 50 kB written). */
export type KillPoint = 'verified' | 'downloaded' | 'extracting' | 'unpacking' | 'extracted' | 'recorded' | null;

export interface InstallDriverArgs {
  mode: 'install' | 'recover';
  root: string;
  dataDir: string;
  releasePublicKeys: string[];
  payload?: unknown;
  killAt?: KillPoint;
}

/** The install driver's source: the real installer, store and reporter, bundled into one file. */
const DRIVER_SOURCE = `
import { closeSync, openSync, writeSync } from 'node:fs';
import { createLogger } from '../log';
import { openStore } from '../store';
import { createInstaller } from './installer';
import { createUpdateReporter } from './reporter';
import { updatePaths } from './state';

async function main(args) {
  const store = openStore(args.dataDir);
  const log = createLogger('silent');
  const reporter = createUpdateReporter({ store, log });
  const paths = updatePaths(args.root);
  const die = () => process.kill(process.pid, 'SIGKILL');
  let written = 0;
  const writer = {
    open: (path, mode) => openSync(path, 'w', mode),
    close: (fd) => closeSync(fd),
    write(fd, data) {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
      written += data.length;
      if (args.killAt === 'unpacking' && written > 50000) die();
    },
  };
  const installer = createInstaller({
    store, paths, log, reporter, writer,
    releasePublicKeys: args.releasePublicKeys, runningVersion: '1.0.0', runningSlot: 'a', retryDelayMs: 20,
    onStep: (step) => { if (step === args.killAt) die(); },
    requestRestart: () => { store.close(); process.exit(75); },
  });
  if (args.mode === 'recover') {
    installer.recoverInterrupted();
    reporter.takeOutbox(paths);
    await reporter.flush();
    store.close();
    process.exit(0);
  }
  console.log(JSON.stringify(await installer.start(args.payload)));
}
main(JSON.parse(process.argv[2]));
`;

/**
 * Bundles the install driver (esbuild, CommonJS; better-sqlite3 loaded from this repository) into
 * `dir`, so each driver process starts in a fraction of a second. Returns the file.
 */
export async function buildInstallDriver(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const outfile = join(dir, 'install-driver.cjs');
  await esbuild.build({
    stdin: { contents: DRIVER_SOURCE, resolveDir: HERE, loader: 'ts', sourcefile: 'install-driver.ts' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    plugins: [
      {
        name: 'native-from-repo',
        setup(build) {
          build.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
  });
  return outfile;
}

/**
 * A child process running the real installer against a real store and root, as the daemon does:
 * `install` starts the order and SIGKILLs itself at `killAt` (or exits 75 when the installer asks
 * for the restart); `recover` is the next start: reports an interrupted install and sends the queue.
 */
export function spawnInstallDriver(driver: string, args: InstallDriverArgs) {
  const child = spawn(process.execPath, [driver, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { pid: child.pid ?? 0, exited };
}

const SILENT = createLogger('silent');

/** The report queue of `store` with its send loop running (as in the daemon) unless `loop` is false. */
export function runningReporter(store: Store, loop = true) {
  const reporter = createUpdateReporter({ store, log: SILENT });
  const abort = new AbortController();
  const done = loop ? reporter.loop(abort.signal, 200) : Promise.resolve();
  return {
    reporter,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

type InstallerBase = Pick<InstallerDeps, 'store' | 'paths' | 'reporter' | 'releasePublicKeys' | 'requestRestart'>;

/** An installer as the daemon makes it, running 1.0.0 from slot a, with short retry delays. */
export function testInstaller(deps: InstallerBase & Partial<InstallerDeps>) {
  return createInstaller({ runningVersion: '1.0.0', runningSlot: 'a', log: SILENT, retryDelayMs: 20, ...deps });
}
