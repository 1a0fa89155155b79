import { performance } from 'node:perf_hooks';
import { ConfigSchema } from '@osiris/central';
import { createPasswordHasher, startTestApp } from '@osiris/central/testing';

const PASSWORD = 'bench-passphrase-violet-41';

function progress(label: string, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${done}/${total}`);
  else if (done === total || done % Math.max(1, Math.floor(total / 4)) === 0)
    process.stderr.write(`${label}: ${done}/${total}\n`);
}

async function timeEach(label: string, count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
    progress(label, i + 1, count);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  return samples;
}

/** Requests per second with `concurrency` callers in flight until `total` have completed. */
async function throughput(label: string, total: number, concurrency: number, fn: () => Promise<void>): Promise<number> {
  let started = 0;
  let done = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started += 1;
        await fn();
        done += 1;
        progress(label, done, total);
      }
    }),
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  return total / ((performance.now() - begin) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Cost of one argon2id hash and verify at the production parameters (the defaults of the config
 * schema), and login throughput over HTTP (app.inject, full stack: rate limits, audit, session)
 * against a baseline of authenticated GET /v1/auth/me on the same app in the same process.
 */
export async function runLoginBench(args: string[]): Promise<void> {
  const backend = args.includes('--postgres') ? 'postgres' : 'pglite';
  const defaults = ConfigSchema.parse({});
  const params = {
    memoryKib: defaults.ARGON2_MEMORY_KIB,
    iterations: defaults.ARGON2_ITERATIONS,
    parallelism: defaults.ARGON2_PARALLELISM,
  };
  const hasher = createPasswordHasher(params);
  const hash = await hasher.hash(PASSWORD);
  const hashMs = await timeEach('argon2id hash', 20, () => hasher.hash(PASSWORD));
  const verifyMs = await timeEach('argon2id verify', 20, () => hasher.verify(hash, PASSWORD));

  const t = await startTestApp(backend, {
    ARGON2_MEMORY_KIB: params.memoryKib,
    ARGON2_ITERATIONS: params.iterations,
    ARGON2_PARALLELISM: params.parallelism,
  });
  try {
    await t.createUser('operator', 'loadtest@osiris.local', PASSWORD);
    const signedIn = await t.login('loadtest@osiris.local', PASSWORD);
    const login = async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'loadtest@osiris.local', password: PASSWORD },
      });
      if (r.statusCode !== 200) throw new Error(`login returned ${r.statusCode}: ${r.body}`);
    };
    const me = async () => {
      const r = await signedIn.request({ method: 'GET', url: '/v1/auth/me' });
      if (r.statusCode !== 200) throw new Error(`me returned ${r.statusCode}`);
    };
    await throughput('warm-up', 10, 2, login);
    const baselinePerSecond = await throughput('baseline GET /v1/auth/me', 400, 4, me);
    const loginPerSecond = await throughput('POST /v1/auth/login', 80, 4, login);

    const lines = [
      `login benchmark (${backend}, node ${process.version}, argon2id m=${params.memoryKib} KiB t=${params.iterations} p=${params.parallelism})`,
      `  argon2id hash:   median ${median(hashMs).toFixed(1)} ms (20 runs)`,
      `  argon2id verify: median ${median(verifyMs).toFixed(1)} ms (20 runs)`,
      `  baseline GET /v1/auth/me: ${baselinePerSecond.toFixed(0)} req/s (4 concurrent)`,
      `  POST /v1/auth/login:      ${loginPerSecond.toFixed(1)} logins/s (4 concurrent)`,
      `  ratio: one login costs ${(baselinePerSecond / loginPerSecond).toFixed(1)}x an authenticated request`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await t.close();
  }
}
