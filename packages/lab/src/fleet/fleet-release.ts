import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignedReleaseManifest } from '@osiris/protocol';
import { APPLIANCE_BIN } from '../agents/appliance-process';
import { mustRun } from '../hosts/run-command';

/**
 * Releases for the fleet lab, made the way a release manager makes them: `osiris-appliance release
 * keygen`, `release pack` (the real bundled appliance) and `release sign`, run as their own
 * processes from this repository's sources.
 */

const CLI_TIMEOUT_MS = 180_000;
const cli = (step: string, args: string[]) =>
  mustRun(step, process.execPath, [APPLIANCE_BIN, ...args], { env: { HOME: '/root' }, timeoutMs: CLI_TIMEOUT_MS });

export interface ReleaseKeyFiles {
  privateKeyFile: string;
  /** base64url raw Ed25519: goes into central's RELEASE_PUBLIC_KEYS and the appliances' update.releasePublicKeys. */
  publicKey: string;
}

export interface LabRelease {
  version: string;
  artifact: string;
  signed: SignedReleaseManifest;
}

/** The version the sources build (what `osiris-appliance --version` answers). */
export async function sourceVersion(): Promise<string> {
  return (await cli('osiris-appliance --version', ['--version'])).trim();
}

/** `major.minor.patch` with the patch raised by `by` (the lab's releases are newer than the sources). */
export function bumpPatch(version: string, by: number): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`not a version: ${version}`);
  return `${match[1]}.${match[2]}.${Number(match[3]) + by}`;
}

/** A release key pair made for this run (`release keygen`); the private key never leaves `dir`. */
export async function createReleaseKey(dir: string): Promise<ReleaseKeyFiles> {
  await cli('release keygen', ['release', 'keygen', '--out', dir]);
  const publicKey = (await readFile(join(dir, 'release-key.pub'), 'utf8')).trim();
  return { privateKeyFile: join(dir, 'release-key.pk8'), publicKey };
}

/** `release pack`: the appliance bundled as a tarball that runs with only node. */
export async function packRelease(version: string, dir: string): Promise<string> {
  const artifact = join(dir, `osiris-appliance-${version}.tar.gz`);
  await cli(`release pack ${version}`, ['release', 'pack', '--version', version, '--out', artifact]);
  return artifact;
}

/** `release sign`: the signed manifest central registers and the appliances verify. */
async function signRelease(
  key: ReleaseKeyFiles,
  version: string,
  artifact: string,
  notes: string,
): Promise<LabRelease> {
  const notesFile = `${artifact}.notes.txt`;
  const manifestFile = `${artifact}.manifest.json`;
  await writeFile(notesFile, notes);
  await cli(`release sign ${version}`, [
    'release',
    'sign',
    '--key',
    key.privateKeyFile,
    '--artifact',
    artifact,
    '--version',
    version,
    '--notes-file',
    notesFile,
    '--out',
    manifestFile,
  ]);
  const signed = JSON.parse(await readFile(manifestFile, 'utf8')) as SignedReleaseManifest;
  return { version, artifact, signed };
}

/** A packed and signed good release. */
export async function buildGoodRelease(key: ReleaseKeyFiles, version: string, dir: string): Promise<LabRelease> {
  const artifact = await packRelease(version, dir);
  return signRelease(key, version, artifact, `Lab release ${version}: the appliance as built from the sources.`);
}

/** The marker the bad build's entry prints before it exits, so its starts can be counted in the logs. */
export const BAD_BUILD_MARKER = 'osiris-lab bad build: the daemon exits at start';

/**
 * A release that cannot pass its health gate. How it is made, honestly: `release pack` builds the
 * real appliance for `version`; then its entry script (bin/osiris-appliance) gets two lines after
 * the shebang so that `run` (what the supervisor starts) prints BAD_BUILD_MARKER and exits 1
 * before the daemon starts, while every other command (`--version`, the pack's own self-test)
 * still works. The tree is tarred again (ustar, plain files and directories only, as the updater
 * accepts) and only then signed with the real release key: central and the appliance see a
 * correctly signed release whose artifact matches its manifest, and the fault shows only when the
 * new version is started — a build that crashes at start.
 */
export async function buildBadRelease(key: ReleaseKeyFiles, version: string, dir: string): Promise<LabRelease> {
  const packed = await packRelease(version, dir);
  const tree = join(dir, `bad-${version}`);
  await mkdir(tree, { recursive: true });
  await mustRun('unpack the bad build', 'tar', ['-xzf', packed, '-C', tree]);
  const entry = join(tree, 'bin', 'osiris-appliance');
  const [shebang, ...rest] = (await readFile(entry, 'utf8')).split('\n');
  const crash = [
    `// ${BAD_BUILD_MARKER} (made by osiris-lab rollout to test the health gate)`,
    `if (process.argv[2] === 'run') { console.error(${JSON.stringify(BAD_BUILD_MARKER)}); process.exit(1); }`,
  ];
  await writeFile(entry, [shebang, ...crash, ...rest].join('\n'), { mode: 0o755 });
  const artifact = join(dir, `osiris-appliance-${version}-bad.tar.gz`);
  const entries = (await readdir(tree)).sort();
  await mustRun('tar the bad build', 'tar', [
    '--format=ustar',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-czf',
    artifact,
    '-C',
    tree,
    ...entries,
  ]);
  return signRelease(key, version, artifact, `Lab release ${version}: a build whose daemon exits at start.`);
}

/**
 * An install root as the appliance's installer leaves it (docs/updates.md): the release unpacked
 * into slots/a, `current` and `good` pointing at it. The supervisor writes its state file on first
 * start from where `current` points.
 */
export async function seedInstallRoot(root: string, artifact: string): Promise<void> {
  const slot = join(root, 'slots', 'a');
  await mkdir(slot, { recursive: true });
  await mustRun('unpack the installed version', 'tar', ['-xzf', artifact, '-C', slot]);
  await symlink(join('slots', 'a'), join(root, 'current'));
  await symlink(join('slots', 'a'), join(root, 'good'));
}
