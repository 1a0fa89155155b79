/**
 * Exponential backoff with full jitter: after the n-th consecutive failure wait a random time in
 * [0, min(max, initial * 2^(n-1))]. Full jitter keeps a site's appliances from retrying in step
 * after an outage of central.
 */
export function createBackoff(options: { initialMs: number; maxMs: number; random?: () => number }) {
  const random = options.random ?? Math.random;
  let failures = 0;
  return {
    /** Records a failure and returns how long to wait before the next attempt. */
    fail(): number {
      failures += 1;
      const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(failures - 1, 30));
      return random() * ceiling;
    },
    succeed(): void {
      failures = 0;
    },
    get failures(): number {
      return failures;
    },
  };
}
