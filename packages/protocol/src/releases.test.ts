import { describe, expect, it } from 'vitest';
import { bytesToBase64Url, generateSigningKeyPair } from './crypto';
import {
  compareVersions,
  type ReleaseManifest,
  releaseKeyId,
  signReleaseManifest,
  verifyReleaseManifest,
} from './releases';

const manifest = (overrides: Partial<ReleaseManifest> = {}): ReleaseManifest => ({
  schemaVersion: 1,
  product: 'osiris-appliance',
  version: '1.4.0',
  sha256: 'a'.repeat(64),
  sizeBytes: 1234,
  minUpgradeFrom: null,
  notes: 'Fixes the check-in backoff.',
  builtAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});

async function releaseKey() {
  const pair = await generateSigningKeyPair();
  return { ...pair, publicB64: bytesToBase64Url(pair.publicKey) };
}

describe('signed release manifests', () => {
  it('verifies a manifest signed by a trusted key and returns it unchanged', async () => {
    const key = await releaseKey();
    const signed = await signReleaseManifest(manifest(), key.privateKey, key.publicKey);
    expect(signed.keyId).toBe(await releaseKeyId(key.publicKey));
    expect(signed.keyId).toMatch(/^[0-9a-f]{16}$/);
    const other = await releaseKey();
    const result = await verifyReleaseManifest(signed, [other.publicB64, key.publicB64]);
    expect(result).toEqual({ ok: true, manifest: manifest() });
  });

  it('refuses a manifest signed by a key that is not trusted', async () => {
    const key = await releaseKey();
    const other = await releaseKey();
    const signed = await signReleaseManifest(manifest(), key.privateKey, key.publicKey);
    const result = await verifyReleaseManifest(signed, [other.publicB64]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe('UNKNOWN_KEY');
    const none = await verifyReleaseManifest(signed, []);
    expect(!none.ok && none.code).toBe('UNKNOWN_KEY');
  });

  it('refuses a manifest changed after signing (hash, version, size) as a bad signature', async () => {
    const key = await releaseKey();
    const signed = await signReleaseManifest(manifest(), key.privateKey, key.publicKey);
    for (const change of [{ sha256: 'b'.repeat(64) }, { version: '1.4.1' }, { sizeBytes: 1235 }]) {
      const tampered = { ...signed, manifest: { ...signed.manifest, ...change } };
      const result = await verifyReleaseManifest(tampered, [key.publicB64]);
      expect(!result.ok && result.code, JSON.stringify(change)).toBe('BAD_SIGNATURE');
    }
  });

  it('refuses a key id that claims a trusted key but carries another key’s signature', async () => {
    const key = await releaseKey();
    const attacker = await releaseKey();
    const forged = await signReleaseManifest(manifest(), attacker.privateKey, key.publicKey);
    const result = await verifyReleaseManifest(forged, [key.publicB64]);
    expect(!result.ok && result.code).toBe('BAD_SIGNATURE');
  });

  it('reports malformed input without throwing', async () => {
    const key = await releaseKey();
    for (const input of [null, 'x', {}, { manifest: manifest(), keyId: 'nope', signature: 'x' }]) {
      const result = await verifyReleaseManifest(input, [key.publicB64]);
      expect(!result.ok && result.code, JSON.stringify(input)).toBe('MALFORMED');
    }
    const extra = { ...(await signReleaseManifest(manifest(), key.privateKey, key.publicKey)), extra: 1 };
    expect((await verifyReleaseManifest(extra, [key.publicB64])).ok).toBe(false);
  });

  it('refuses to sign an invalid manifest', async () => {
    const key = await releaseKey();
    await expect(signReleaseManifest(manifest({ version: 'v1' }), key.privateKey, key.publicKey)).rejects.toThrow();
  });

  it('skips unusable trusted keys instead of failing', async () => {
    const key = await releaseKey();
    const signed = await signReleaseManifest(manifest(), key.privateKey, key.publicKey);
    const result = await verifyReleaseManifest(signed, ['!!not base64', 'AAAA', key.publicB64]);
    expect(result.ok).toBe(true);
  });
});

describe('compareVersions', () => {
  it('orders by major, minor and patch numerically', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('0.9.0', '1.0.0')).toBe(-1);
    expect(compareVersions('2.0.10', '2.0.2')).toBe(1);
  });

  it('sorts a pre-release before its release, and pre-release identifiers as semver says', () => {
    expect(compareVersions('1.5.0-rc.1', '1.5.0')).toBe(-1);
    expect(compareVersions('1.5.0', '1.5.0-rc.1')).toBe(1);
    expect(compareVersions('1.5.0-rc.2', '1.5.0-rc.10')).toBe(-1);
    expect(compareVersions('1.5.0-alpha', '1.5.0-alpha.1')).toBe(-1);
    expect(compareVersions('1.5.0-alpha.1', '1.5.0-beta')).toBe(-1);
    expect(compareVersions('1.5.0-1', '1.5.0-alpha')).toBe(-1);
    expect(compareVersions('1.5.0-rc.1', '1.4.9')).toBe(1);
  });

  it('sorts a list of versions', () => {
    const versions = ['1.0.0', '1.0.0-rc.1', '0.9.12', '1.0.0-beta.2', '1.0.0-beta.11', '1.1.0'];
    expect([...versions].sort(compareVersions)).toEqual([
      '0.9.12',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.1.0',
    ]);
  });
});
