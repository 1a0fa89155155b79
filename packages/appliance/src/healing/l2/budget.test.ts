import { describe, expect, it } from 'vitest';
import { createBudgetTracker } from './budget';

function clock(startIso: string) {
  let at = Date.parse(startIso);
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

describe('L2 budget', () => {
  it('refuses once the day’s tokens are spent and allows again on the next UTC day', () => {
    const time = clock('2026-11-30T23:00:00Z');
    const budget = createBudgetTracker({ dailyTokens: 1000, requestsPerMinute: 100 }, time.now);
    expect(budget.tryStartRequest()).toEqual({ ok: true });
    budget.recordTokens(999);
    expect(budget.tryStartRequest()).toEqual({ ok: true });
    budget.recordTokens(1);
    const refused = budget.tryStartRequest();
    expect(refused).toMatchObject({ ok: false, reason: 'budget_exhausted' });
    time.advance(60 * 60_000);
    expect(budget.tokensUsedToday()).toBe(0);
    expect(budget.tryStartRequest()).toEqual({ ok: true });
  });

  it('allows requestsPerMinute requests in any rolling minute', () => {
    const time = clock('2026-11-30T10:00:00Z');
    const budget = createBudgetTracker({ dailyTokens: 1_000_000, requestsPerMinute: 2 }, time.now);
    expect(budget.tryStartRequest().ok).toBe(true);
    time.advance(30_000);
    expect(budget.tryStartRequest().ok).toBe(true);
    expect(budget.tryStartRequest()).toMatchObject({ ok: false, reason: 'rate_limited' });
    time.advance(30_000);
    // The first request is now a minute old; the second still counts.
    expect(budget.tryStartRequest().ok).toBe(true);
    expect(budget.tryStartRequest()).toMatchObject({ ok: false, reason: 'rate_limited' });
  });

  it('does not count refused requests against the rate limit', () => {
    const time = clock('2026-11-30T10:00:00Z');
    const budget = createBudgetTracker({ dailyTokens: 1_000_000, requestsPerMinute: 1 }, time.now);
    expect(budget.tryStartRequest().ok).toBe(true);
    for (let i = 0; i < 5; i += 1) expect(budget.tryStartRequest().ok).toBe(false);
    time.advance(60_000);
    expect(budget.tryStartRequest().ok).toBe(true);
  });
});
