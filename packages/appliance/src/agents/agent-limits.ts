/**
 * Per-agent throttles of the agent endpoint: a token bucket of requests per key (agent id, or the
 * remote address for enrollment) and a count of open HTTP/2 connections per agent.
 */
export function createRequestLimiter(options: { requestsPerMinute: number; burst: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const perMs = options.requestsPerMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const IDLE_MS = 10 * 60_000;
  let lastSweep = now();

  function sweep(at: number): void {
    if (at - lastSweep < IDLE_MS) return;
    lastSweep = at;
    for (const [key, bucket] of buckets) if (at - bucket.at > IDLE_MS) buckets.delete(key);
  }

  return {
    /** Takes one request from `key`'s bucket; false when the bucket is empty. */
    take(key: string): boolean {
      const at = now();
      sweep(at);
      const bucket = buckets.get(key) ?? { tokens: options.burst, at };
      bucket.tokens = Math.min(options.burst, bucket.tokens + (at - bucket.at) * perMs);
      bucket.at = at;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}

/** Open connections per agent: `open` says whether one more is within the limit; `close` releases it. */
export function createConnectionCounter(maxPerAgent: number) {
  const open = new Map<string, number>();
  return {
    open(agentId: string): boolean {
      const count = open.get(agentId) ?? 0;
      open.set(agentId, count + 1);
      return count < maxPerAgent;
    },
    close(agentId: string): void {
      const count = (open.get(agentId) ?? 1) - 1;
      if (count <= 0) open.delete(agentId);
      else open.set(agentId, count);
    },
    count: (agentId: string): number => open.get(agentId) ?? 0,
  };
}
