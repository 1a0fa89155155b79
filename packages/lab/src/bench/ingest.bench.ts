import { createPublicKey, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  base64UrlToBytes,
  EVIDENCE_SIGNING_PREFIX,
  type Ed25519VerifyKey,
  importVerifyKey,
  type SignedEvidenceBundle,
  verifyEd25519,
} from '@osiris/protocol';
import {
  type Backend,
  createChainWriter,
  newApplianceIdentity,
  registrationRequest,
  startTestApp,
  type TestApp,
} from '@osiris/central/testing';

export function argValue(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
}

/** Where production runs central; used when no --db is given and nothing else is configured. */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

async function isReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * --db pglite|postgres. Without it: PostgreSQL (what production runs) on TEST_DATABASE_URL, else on
 * a local server at 127.0.0.1:5432 when one answers, else embedded PGlite.
 */
export async function backendOf(args: string[]): Promise<Backend> {
  const index = args.indexOf('--db');
  const chosen = index >= 0 ? args[index + 1] : args.includes('--postgres') ? 'postgres' : null;
  if (chosen !== null && chosen !== 'pglite' && chosen !== 'postgres') throw new Error('--db takes pglite or postgres');
  if (chosen === 'pglite') return 'pglite';
  if (!process.env.TEST_DATABASE_URL && (await isReachable(LOCAL_POSTGRES)))
    process.env.TEST_DATABASE_URL = LOCAL_POSTGRES;
  if (process.env.TEST_DATABASE_URL) return 'postgres';
  if (chosen === 'postgres')
    throw new Error(`--db postgres needs TEST_DATABASE_URL (e.g. ${LOCAL_POSTGRES}) or a server there`);
  return 'pglite';
}

interface BenchAppliance {
  token: string;
  /** Request bodies, one per batch, serialized before the clock starts (the appliance's work). */
  bodies: string[];
  chain: SignedEvidenceBundle[];
  publicKey: string;
}

async function registerAppliance(t: TestApp, siteId: string, index: number, total: number, batch: number) {
  const admin = await t.loginAs('admin');
  const identity = newApplianceIdentity();
  const { code } = (
    await admin.request({ method: 'POST', url: `/v1/sites/${siteId}/provision-codes`, payload: {} })
  ).json();
  const registered = await t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/register',
    payload: registrationRequest(identity, code, { hostname: `bench-${index}` }),
  });
  if (registered.statusCode !== 201) throw new Error(`register: ${registered.statusCode} ${registered.body}`);
  const { applianceId, token } = registered.json() as { applianceId: string; token: string };
  const next = createChainWriter(applianceId, identity.pkcs8, { statusOf: (seq) => (seq % 7 === 0 ? 'fail' : 'pass') });
  const chain = await next(total);
  const bodies: string[] = [];
  for (let offset = 0; offset < total; offset += batch) {
    bodies.push(JSON.stringify({ schemaVersion: 1, bundles: chain.slice(offset, offset + batch) }));
  }
  return { token, bodies, chain, publicKey: identity.publicKey } satisfies BenchAppliance;
}

async function createSite(t: TestApp): Promise<string> {
  const admin = await t.loginAs('admin');
  const slug = `bench-${Date.now().toString(36)}`;
  const post = async (url: string, payload: Record<string, unknown>) =>
    ((await admin.request({ method: 'POST', url, payload })).json() as { id: string }).id;
  const partnerId = await post('/v1/partners', { name: 'Bench', slug });
  const practiceId = await post('/v1/practices', { partnerId, name: 'Bench' });
  return post('/v1/sites', { practiceId, name: 'Bench' });
}

type Verifier = (signed: SignedEvidenceBundle) => Promise<boolean>;

/** The two sound ways to check Ed25519 in Node; both run on libuv's thread pool in parallel. */
async function baselineVerifiers(publicKey: string): Promise<Record<'webCrypto' | 'nodeCrypto', Verifier>> {
  const webKey: Ed25519VerifyKey | null = await importVerifyKey(base64UrlToBytes(publicKey));
  if (!webKey) throw new Error('key import failed');
  const nodeKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return {
    webCrypto: (s) => verifyEd25519(webKey, EVIDENCE_SIGNING_PREFIX + s.hash, base64UrlToBytes(s.signature)),
    nodeCrypto: (s) =>
      new Promise((resolve, reject) =>
        verify(
          null,
          Buffer.from(EVIDENCE_SIGNING_PREFIX + s.hash),
          nodeKey,
          Buffer.from(s.signature, 'base64url'),
          (error, isValid) => (error ? reject(error) : resolve(isValid)),
        ),
      ),
  };
}

/**
 * Bundles per second that central accepts (HTTP, token auth, verify, chain link, insert, latest
 * result) against raw Ed25519 verifications per second of the same bundles in the same process.
 *
 * Each round sends one batch from every appliance at once (`--appliances` concurrent uploads; one
 * appliance's uploads are always sequential, as a real appliance's are) and, in the same round,
 * verifies the same bundles' signatures alone, all in parallel, with WebCrypto and with
 * node:crypto; the faster of the two is the baseline. Interleaving keeps load from other
 * processes from favouring either side. Round 0 warms up the JIT and is not counted. Request
 * bodies are serialized before timing: that is the appliance's work, not central's.
 * Options: --bundles N per appliance (default 4000), --batch N (default 500, the most central
 * takes), --appliances N (default 4: a central serves many sites), --db pglite|postgres (postgres:
 * a fresh database on TEST_DATABASE_URL or the local server, dropped afterwards; the default is
 * PostgreSQL when one is reachable, as in production; `--postgres` is the same).
 */
export async function runIngestBench(args: string[]): Promise<void> {
  const total = argValue(args, '--bundles', 4000);
  const batch = argValue(args, '--batch', 500);
  const applianceCount = argValue(args, '--appliances', 4);
  const backend = await backendOf(args);
  const t = await startTestApp(backend);
  try {
    const siteId = await createSite(t);
    process.stderr.write(`signing ${total} bundles for each of ${applianceCount} appliance(s)...\n`);
    const appliances: BenchAppliance[] = [];
    for (let i = 0; i < applianceCount; i++) appliances.push(await registerAppliance(t, siteId, i, total, batch));
    const verifiers = await Promise.all(appliances.map((a) => baselineVerifiers(a.publicKey)));
    const elapsedMs = { ingest: 0, webCrypto: 0, nodeCrypto: 0 };
    let counted = 0;
    const rounds = Math.ceil(total / batch);
    for (let round = 0; round < rounds; round++) {
      const offset = round * batch;
      for (const method of ['webCrypto', 'nodeCrypto'] as const) {
        const start = performance.now();
        const results = await Promise.all(
          appliances.flatMap((a, i) => a.chain.slice(offset, offset + batch).map((s) => verifiers[i]?.[method](s))),
        );
        if (round > 0) elapsedMs[method] += performance.now() - start;
        if (results.some((ok) => ok !== true)) throw new Error(`baseline ${method} verification failed`);
      }
      const start = performance.now();
      const responses = await Promise.all(
        appliances.map((a) =>
          t.app.inject({
            method: 'POST',
            url: '/v1/appliance/evidence',
            headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
            payload: a.bodies[round] ?? '',
          }),
        ),
      );
      if (round > 0) {
        elapsedMs.ingest += performance.now() - start;
        counted += applianceCount * Math.min(batch, total - offset);
      }
      for (const res of responses) if (res.statusCode !== 200) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
      process.stderr.write(`round ${round + 1}/${rounds}${round === 0 ? ' (warm-up)' : ''}\n`);
    }
    if (counted === 0) throw new Error('nothing was timed: use at least two batches (--bundles > --batch)');
    // Central appends accepted bundles to the transparency log after each commit, off the ingest
    // path: how long the log still needs once the last upload is answered (not in the ratio).
    const catchUpStart = performance.now();
    await t.services.transparency.drain();
    const logCatchUpMs = Math.round(performance.now() - catchUpStart);
    const perSec = (ms: number) => counted / (ms / 1000);
    const bundlesPerSec = perSec(elapsedMs.ingest);
    const verifyPerSec = Math.max(perSec(elapsedMs.webCrypto), perSec(elapsedMs.nodeCrypto));
    const report = {
      backend,
      appliances: applianceCount,
      bundles: counted,
      batch,
      bundlesPerSec: Math.round(bundlesPerSec),
      verifyPerSec: Math.round(verifyPerSec),
      webCryptoVerifyPerSec: Math.round(perSec(elapsedMs.webCrypto)),
      nodeCryptoVerifyPerSec: Math.round(perSec(elapsedMs.nodeCrypto)),
      ratio: Number((bundlesPerSec / verifyPerSec).toFixed(3)),
      logCatchUpMs,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await t.close();
  }
}
