import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyReleaseManifest } from '@osiris/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { extractTarGz } from './tar';
import { removeDirs, tempDir } from './update.testkit';

/** `release keygen`, `pack` and `sign` as a release manager runs them, and the packed build run with only node. */
describe('osiris-appliance release', () => {
  const dirs: string[] = [];
  afterAll(() => removeDirs(dirs));
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  it('makes a key, a tarball that runs with only node, and a manifest that verifies against the key', async () => {
    const work = tempDir('osiris-release-', dirs);
    const keygen = await cli(['release', 'keygen', '--out', join(work, 'key')]);
    expect(keygen.code).toBe(0);
    expect(statSync(join(work, 'key', 'release-key.pk8')).mode & 0o777).toBe(0o600);
    const publicKey = readFileSync(join(work, 'key', 'release-key.pub'), 'utf8').trim();
    expect(keygen.out[0]).toBe(`public key ${publicKey}`);
    // A second keygen never overwrites the key.
    expect((await cli(['release', 'keygen', '--out', join(work, 'key')])).code).toBe(2);

    const artifact = join(work, 'osiris-appliance-7.8.9.tar.gz');
    const pack = await cli(['release', 'pack', '--version', '7.8.9', '--out', artifact]);
    expect(pack.code, pack.err.join('\n')).toBe(0);
    expect((await cli(['release', 'pack', '--version', 'latest'])).code).toBe(2);

    // Unpacked as the installer does, outside the repository, run with nothing but node.
    const slot = join(tempDir('osiris-slot-', dirs), 'slots', 'a');
    mkdirSync(slot, { recursive: true });
    await extractTarGz(artifact, slot);
    expect(readFileSync(join(slot, 'VERSION'), 'utf8')).toBe('7.8.9\n');
    const run = (args: string[]) =>
      execFileSync(process.execPath, [join(slot, 'bin', 'osiris-appliance'), ...args], {
        cwd: slot,
        encoding: 'utf8',
        env: { PATH: '/usr/bin:/bin' },
      });
    expect(run(['--version']).trim()).toBe('7.8.9');
    expect(() => run(['supervise'])).toThrow(/supervise --config/);
    // The native store module loads from the tarball: `register` opens the store before it calls central.
    const config = join(slot, '..', 'appliance.yaml');
    writeFileSync(config, 'centralUrl: http://127.0.0.1:9\ndataDir: ./data\n');
    expect(() => run(['register', '--config', config, '--code', 'ABCD-EFGH-JKLM-NPQR'])).toThrow(
      /Cannot reach central/,
    );
    expect(statSync(join(slot, '..', 'data', 'appliance.db')).isFile()).toBe(true);

    const manifest = join(work, 'manifest.json');
    const sign = await cli([
      'release',
      'sign',
      '--key',
      join(work, 'key', 'release-key.pk8'),
      '--artifact',
      artifact,
      '--version',
      '7.8.9',
      '--min-upgrade-from',
      '7.0.0',
      '--out',
      manifest,
    ]);
    expect(sign.code, sign.err.join('\n')).toBe(0);
    const signed = JSON.parse(readFileSync(manifest, 'utf8'));
    const verified = await verifyReleaseManifest(signed, [publicKey]);
    expect(verified).toMatchObject({ ok: true, manifest: { version: '7.8.9', minUpgradeFrom: '7.0.0' } });
    const bytes = readFileSync(artifact);
    expect(signed.manifest).toMatchObject({
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });
});
