import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  bytesToBase64Url,
  generateSigningKeyPair,
  publicKeyFromPrivateKey,
  RELEASE_MAX_BYTES,
  ReleaseVersion,
  releaseKeyId,
  signReleaseManifest,
} from '@osiris/protocol';
import type { CliOutput } from '../cli-output';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { packRelease } from './pack';
import { SuperviseError, supervise } from './supervisor';

export const RELEASE_USAGE = `  osiris-appliance release keygen --out <dir>
      Creates an Ed25519 release key pair: <dir>/release-key.pk8 (private, mode 0600, keep offline)
      and <dir>/release-key.pub (base64url; goes into update.releasePublicKeys). Prints the key id.
  osiris-appliance release pack --version X.Y.Z [--out file.tar.gz]
      Builds the appliance as a tarball that runs with only node (see docs/updates.md).
  osiris-appliance release sign --key <private key file> --artifact <tarball> --version X.Y.Z
                                [--notes-file F] [--min-upgrade-from V] --out manifest.json
      Writes the signed release manifest central registers and appliances verify.`;

export const SUPERVISE_USAGE = `  osiris-appliance supervise --config <file> [--root <dir>]
      Runs \`run --config <file>\` from the current slot under <dir> (default: update.root) and restarts
      it; a new version on trial goes back to the known-good slot after 3 failed starts (what the
      systemd unit runs; see docs/updates.md). Exit: 0 stopped by SIGTERM/SIGINT, 1 nothing
      installed or an unreadable state file, 2 usage.`;

type Env = Record<string, string | undefined>;

class UsageError extends Error {}

const required = (value: string | undefined, name: string): string => {
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
};

async function keygen(args: string[], io: CliOutput) {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  const dir = resolve(required(values.out, 'out'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = await generateSigningKeyPair();
  const publicB64 = bytesToBase64Url(pair.publicKey);
  // `wx`: never overwrite an existing key.
  writeFileSync(join(dir, 'release-key.pk8'), pair.privateKey, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, 'release-key.pub'), `${publicB64}\n`, { mode: 0o644, flag: 'wx' });
  io.out(`public key ${publicB64}`);
  io.out(`key id ${await releaseKeyId(pair.publicKey)}`);
  io.out(`private key ${join(dir, 'release-key.pk8')} (mode 0600; keep it offline)`);
  return 0;
}

async function pack(args: string[], io: CliOutput) {
  const { values } = parseArgs({
    args,
    options: { version: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const version = ReleaseVersion.parse(required(values.version, 'version'));
  const outFile = resolve(values.out ?? `osiris-appliance-${version}.tar.gz`);
  const result = await packRelease({ version, outFile, log: io.err });
  io.out(`${result.file} (${result.sizeBytes} bytes)`);
  return 0;
}

async function sign(args: string[], io: CliOutput) {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: 'string' },
      artifact: { type: 'string' },
      version: { type: 'string' },
      'notes-file': { type: 'string' },
      'min-upgrade-from': { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const artifact = required(values.artifact, 'artifact');
  const out = required(values.out, 'out');
  const privateKey = new Uint8Array(readFileSync(required(values.key, 'key')));
  if ((statSync(required(values.key, 'key')).mode & 0o077) !== 0)
    io.err('warning: the private key file is readable by others; chmod 600 it');
  const sizeBytes = statSync(artifact).size;
  if (sizeBytes > RELEASE_MAX_BYTES) throw new UsageError(`the artifact is larger than ${RELEASE_MAX_BYTES} bytes`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(artifact)) hash.update(chunk as Buffer);
  const publicKey = await publicKeyFromPrivateKey(privateKey);
  const signed = await signReleaseManifest(
    {
      schemaVersion: 1,
      product: 'osiris-appliance',
      version: ReleaseVersion.parse(required(values.version, 'version')),
      sha256: hash.digest('hex'),
      sizeBytes,
      minUpgradeFrom: values['min-upgrade-from'] ? ReleaseVersion.parse(values['min-upgrade-from']) : null,
      notes: values['notes-file'] ? readFileSync(values['notes-file'], 'utf8') : '',
      builtAt: new Date().toISOString(),
    },
    privateKey,
    publicKey,
  );
  writeFileSync(out, `${JSON.stringify(signed, null, 2)}\n`);
  io.out(`signed ${signed.manifest.version} (sha256 ${signed.manifest.sha256}) with key ${signed.keyId} → ${out}`);
  return 0;
}

export async function releaseCommand(args: string[], _env: Env, io: CliOutput): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'keygen') return await keygen(rest, io);
    if (sub === 'pack') return await pack(rest, io);
    if (sub === 'sign') return await sign(rest, io);
    io.err(RELEASE_USAGE);
    return 2;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { name?: string }).name === 'ZodError' ||
      (error as { code?: string }).code === 'EEXIST' ||
      (error as { code?: string }).code === 'ENOENT'
    ) {
      io.err(`osiris-appliance release ${sub}: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

export async function superviseCommand(args: string[], env: Env, io: CliOutput): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { root: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  if (!values.config) {
    io.err(SUPERVISE_USAGE);
    return 2;
  }
  const config = loadConfig(values.config, env);
  const root = resolve(values.root ?? config.update.root);
  const log = createLogger(config.logLevel);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await supervise({
      root,
      daemonArgs: ['run', '--config', resolve(values.config)],
      healthGateTimeoutMs: config.update.healthGateTimeoutSeconds * 1000,
      log,
      signal: stop.signal,
      env: env as NodeJS.ProcessEnv,
    });
    return 0;
  } catch (error) {
    if (!(error instanceof SuperviseError)) throw error;
    io.err(`osiris-appliance supervise: ${error.message}`);
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
