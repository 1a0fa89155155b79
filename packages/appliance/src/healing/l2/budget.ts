/**
 * Spending limits for L2: tokens per UTC day (as reported by the provider) and requests per
 * rolling minute. The earlier agent had neither (reference §5.1); a loop of failing checks could
 * otherwise send one request per cycle per host, for ever.
 */
export interface L2Budget {
  dailyTokens: number;
  requestsPerMinute: number;
}

export type BudgetRefusal = 'budget_exhausted' | 'rate_limited';

const MINUTE_MS = 60_000;

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function createBudgetTracker(budget: L2Budget, now: () => number) {
  let day = utcDay(now());
  let tokensToday = 0;
  let recent: number[] = [];

  const rollDay = (at: number): void => {
    const today = utcDay(at);
    if (today !== day) {
      day = today;
      tokensToday = 0;
    }
  };

  return {
    /**
     * Takes a request slot, or says why not. The token check is "already spent", so one request
     * may overshoot the budget by its own size: its size is only known once the provider answers.
     */
    tryStartRequest(): { ok: true } | { ok: false; reason: BudgetRefusal; detail: string } {
      const at = now();
      rollDay(at);
      if (tokensToday >= budget.dailyTokens)
        return {
          ok: false,
          reason: 'budget_exhausted',
          detail: `${tokensToday} of ${budget.dailyTokens} tokens used today (UTC)`,
        };
      recent = recent.filter((started) => at - started < MINUTE_MS);
      if (recent.length >= budget.requestsPerMinute)
        return {
          ok: false,
          reason: 'rate_limited',
          detail: `${recent.length} requests in the last minute, limit ${budget.requestsPerMinute}`,
        };
      recent.push(at);
      return { ok: true };
    },
    recordTokens(tokens: number): void {
      rollDay(now());
      tokensToday += tokens;
    },
    tokensUsedToday(): number {
      rollDay(now());
      return tokensToday;
    },
  };
}
