import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  base64UrlToBytes,
  canonicalJson,
  EVIDENCE_GENESIS_HASH,
  EVIDENCE_SIGNING_PREFIX,
  importVerifyKey,
  REGISTRATION_PURPOSE,
  type SignedEvidenceBundle,
  signBundle,
  verifyEd25519,
} from '@osiris/protocol';
import { startTestApp } from '@osiris/central/testing';

const HOST_ID = '01890000-0000-7000-8000-00000000b001';

function argValue(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
}

/** A chain of `count` signed bundles from one appliance key, built before timing starts. */
async function buildChain(applianceId: string, pkcs8: Uint8Array, count: number): Promise<SignedEvidenceBundle[]> {
  const chain: SignedEvidenceBundle[] = [];
  let prevHash = EVIDENCE_GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
    const signed = await signBundle(
      {
        schemaVersion: 1,
        applianceId,
        seq,
        prevHash,
        hostId: HOST_ID,
        hostname: 'bench-host',
        checkId: 'linux.ssh.permit-root-login',
        status: seq % 7 === 0 ? 'fail' : 'pass',
        observed: { permitRootLogin: seq % 7 === 0 ? 'yes' : 'no' },
        evaluatorInputDigest: 'b'.repeat(64),
        startedAt: at,
        finishedAt: at,
        clockOffsetMs: 0,
        controls: ['164.312(a)(1)'],
      },
      pkcs8,
    );
    prevHash = signed.hash;
    chain.push(signed);
  }
  return chain;
}

/**
 * Bundles per second that central accepts (HTTP, token auth, verify, chain link, insert, latest
 * result) against raw Ed25519 verifications per second of the same bundles in the same process.
 * Options: --bundles N (default 2000), --batch N (default 500, the most central takes), --postgres.
 */
export async function runIngestBench(args: string[]): Promise<void> {
  const total = argValue(args, '--bundles', 2000);
  const batch = argValue(args, '--batch', 500);
  const backend = args.includes('--postgres') ? 'postgres' : 'pglite';
  const t = await startTestApp(backend);
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const publicKeyB64 = publicKey.export({ format: 'jwk' }).x as string;
    const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
    const admin = await t.loginAs('admin');
    const slug = `bench-${Date.now().toString(36)}`;
    const partner = (
      await admin.request({ method: 'POST', url: '/v1/partners', payload: { name: 'Bench', slug } })
    ).json();
    const practice = (
      await admin.request({ method: 'POST', url: '/v1/practices', payload: { partnerId: partner.id, name: 'Bench' } })
    ).json();
    const site = (
      await admin.request({ method: 'POST', url: '/v1/sites', payload: { practiceId: practice.id, name: 'Bench' } })
    ).json();
    const { code } = (
      await admin.request({ method: 'POST', url: `/v1/sites/${site.id}/provision-codes`, payload: {} })
    ).json();
    const signedAt = new Date().toISOString();
    const proof = canonicalJson({
      purpose: REGISTRATION_PURPOSE,
      code,
      publicKey: publicKeyB64,
      hostname: 'bench',
      signedAt,
    });
    const registered = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/register',
      payload: {
        schemaVersion: 1,
        code,
        publicKey: publicKeyB64,
        hostname: 'bench',
        version: 'bench',
        signedAt,
        signature: sign(null, Buffer.from(proof), privateKey).toString('base64url'),
      },
    });
    if (registered.statusCode !== 201) throw new Error(`register: ${registered.statusCode} ${registered.body}`);
    const { applianceId, token } = registered.json() as { applianceId: string; token: string };

    process.stderr.write(`signing ${total} bundles...\n`);
    const chain = await buildChain(applianceId, pkcs8, total);

    const key = await importVerifyKey(base64UrlToBytes(publicKeyB64));
    if (!key) throw new Error('key import failed');
    // Baseline: only the Ed25519 verifications, issued batch by batch in parallel as central does.
    const verifyStart = performance.now();
    for (let offset = 0; offset < total; offset += batch) {
      const results = await Promise.all(
        chain
          .slice(offset, offset + batch)
          .map((signed) =>
            verifyEd25519(key, EVIDENCE_SIGNING_PREFIX + signed.hash, base64UrlToBytes(signed.signature)),
          ),
      );
      if (results.includes(false)) throw new Error('baseline verification failed');
    }
    const verifyPerSec = total / ((performance.now() - verifyStart) / 1000);

    const ingestStart = performance.now();
    for (let offset = 0; offset < total; offset += batch) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/appliance/evidence',
        headers: { authorization: `Bearer ${token}` },
        payload: { schemaVersion: 1, bundles: chain.slice(offset, offset + batch) },
      });
      if (res.statusCode !== 200) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
      process.stderr.write(`ingested ${Math.min(offset + batch, total)}/${total}\n`);
    }
    const bundlesPerSec = total / ((performance.now() - ingestStart) / 1000);
    const report = {
      backend,
      bundles: total,
      batch,
      bundlesPerSec: Math.round(bundlesPerSec),
      verifyPerSec: Math.round(verifyPerSec),
      ratio: Number((bundlesPerSec / verifyPerSec).toFixed(3)),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await t.close();
  }
}
