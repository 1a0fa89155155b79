import { performance } from 'node:perf_hooks';
import { base64UrlToBytes, EVIDENCE_SIGNING_PREFIX, importVerifyKey, verifyEd25519 } from '@osiris/protocol';
import { createChainWriter, newApplianceIdentity, registrationRequest, startTestApp } from '@osiris/central/testing';

function argValue(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
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
    const identity = newApplianceIdentity();
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
    const registered = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/register',
      payload: registrationRequest(identity, code, { hostname: 'bench' }),
    });
    if (registered.statusCode !== 201) throw new Error(`register: ${registered.statusCode} ${registered.body}`);
    const { applianceId, token } = registered.json() as { applianceId: string; token: string };

    process.stderr.write(`signing ${total} bundles...\n`);
    const next = createChainWriter(applianceId, identity.pkcs8, {
      statusOf: (seq) => (seq % 7 === 0 ? 'fail' : 'pass'),
    });
    const chain = await next(total);

    const key = await importVerifyKey(base64UrlToBytes(identity.publicKey));
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
