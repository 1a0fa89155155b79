import { createHash, randomBytes } from 'node:crypto';
import {
  bytesToBase64Url,
  generateSigningKeyPair,
  type Release,
  type ReleaseManifest,
  type SignedOrder,
  type SignedReleaseManifest,
  signReleaseManifest,
} from '@osiris/protocol';
import { expect } from 'vitest';
import type { Caller, TestApp } from '../../testing';
import { checkinRequest } from '../../testing/appliance-wire';

/** A release key pair as the offline CLI holds it; `publicB64` goes into RELEASE_PUBLIC_KEYS. */
export async function newReleaseKey() {
  const pair = await generateSigningKeyPair();
  return { ...pair, publicB64: bytesToBase64Url(pair.publicKey) };
}
export type ReleaseKey = Awaited<ReturnType<typeof newReleaseKey>>;

/** A random artifact and its manifest, signed with `key`. */
export async function signedRelease(
  key: ReleaseKey,
  version: string,
  options: { sizeBytes?: number; minUpgradeFrom?: string | null } = {},
): Promise<{ artifact: Buffer; signed: SignedReleaseManifest }> {
  const artifact = randomBytes(options.sizeBytes ?? 4096);
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    product: 'osiris-appliance',
    version,
    sha256: createHash('sha256').update(artifact).digest('hex'),
    sizeBytes: artifact.length,
    minUpgradeFrom: options.minUpgradeFrom ?? null,
    notes: `Release ${version}`,
    builtAt: new Date().toISOString(),
  };
  return { artifact, signed: await signReleaseManifest(manifest, key.privateKey, key.publicKey) };
}

export const uploadArtifact = (admin: Caller, version: string, body: Buffer) =>
  admin.request({
    method: 'PUT',
    url: `/v1/releases/${version}/artifact`,
    payload: body,
    headers: { 'content-type': 'application/octet-stream' },
  });

/** Registers and uploads a release (stable unless told); returns it, available. */
export async function availableRelease(
  admin: Caller,
  key: ReleaseKey,
  version: string,
  options: { sizeBytes?: number; minUpgradeFrom?: string | null; channel?: 'stable' | 'beta' } = {},
): Promise<{ release: Release; artifact: Buffer }> {
  const { artifact, signed } = await signedRelease(key, version, options);
  const created = await admin.request({
    method: 'POST',
    url: '/v1/releases',
    payload: { signed, channel: options.channel ?? 'stable' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const uploaded = await uploadArtifact(admin, version, artifact);
  expect(uploaded.statusCode, uploaded.body).toBe(200);
  return { release: uploaded.json() as Release, artifact };
}

/** Checks in as an appliance reporting `version`; returns the signed orders of the reply. */
export async function checkinAt(t: TestApp, token: string, version = '0.1.0'): Promise<SignedOrder[]> {
  const res = await t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/checkin',
    payload: checkinRequest({ sentAt: t.clock.now().toISOString(), version }),
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().orders;
}

/** POST /v1/appliance/update-status as the appliance with this token. */
export function reportStatus(
  t: TestApp,
  token: string,
  report: {
    rolloutId: string;
    version: string;
    state: 'downloading' | 'installed' | 'healthy' | 'failed' | 'rolled_back';
    at?: string;
    errorCode?: string | null;
    message?: string | null;
    fromVersion?: string;
  },
) {
  return t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/update-status',
    payload: {
      schemaVersion: 1,
      fromVersion: '0.1.0',
      at: t.clock.now().toISOString(),
      errorCode: null,
      message: null,
      bytesDownloaded: null,
      ...report,
    },
    headers: { authorization: `Bearer ${token}` },
  });
}
