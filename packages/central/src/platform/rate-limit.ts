import { type Kysely, sql } from 'kysely';
import { AppError } from './errors';
import type { App } from './http';
import type { DB } from './db-schema';

export interface RateLimitResult {
  allowed: boolean;
  hits: number;
  limit: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in PostgreSQL, so every replica shares the counts. One upsert per hit.
 * Windows are aligned to the epoch, so replicas agree on where a window starts.
 */
export function createRateLimiter(db: Kysely<DB>, now: () => number = Date.now) {
  async function hit(bucket: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const windowMs = windowSeconds * 1000;
    const current = now();
    const windowStart = new Date(Math.floor(current / windowMs) * windowMs);
    const row = await db
      .insertInto('rate_limit_counters')
      .values({ bucket, window_start: windowStart, hits: 1 })
      .onConflict((oc) =>
        oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limit_counters.hits + 1` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - current) / 1000));
    return { allowed: row.hits <= limit, hits: row.hits, limit, retryAfterSeconds };
  }

  /** Forget windows that ended more than a day ago. */
  async function prune(): Promise<number> {
    const result = await db
      .deleteFrom('rate_limit_counters')
      .where('window_start', '<', new Date(now() - 24 * 3600 * 1000))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  return { hit, prune };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

function refuse(retryAfterSeconds: number, message: string): AppError {
  return new AppError('RATE_LIMITED', message, {
    headers: { 'retry-after': String(retryAfterSeconds) },
    details: { retryAfterSeconds },
  });
}

/** Every request but health probes counts against its client IP. */
export function registerIpRateLimit(app: App, limiter: RateLimiter, perMinute: number): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.rateLimit === false) return;
    const result = await limiter.hit(`ip:${request.ip}`, perMinute, 60);
    if (!result.allowed) throw refuse(result.retryAfterSeconds, 'Too many requests from this address');
  });
}

/** Appliance routes also count per appliance, whichever address it calls from. Register after auth. */
export function registerApplianceRateLimit(app: App, limiter: RateLimiter, perMinute: number): void {
  app.addHook('onRequest', async (request) => {
    if (!request.appliance) return;
    const result = await limiter.hit(`appliance:${request.appliance.applianceId}`, perMinute, 60);
    if (!result.allowed) throw refuse(result.retryAfterSeconds, 'Too many requests from this appliance');
  });
}
