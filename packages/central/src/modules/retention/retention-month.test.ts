import { describe, expect, it } from 'vitest';
import { monthBounds, purgeBefore } from './retention-month';

describe('purgeBefore', () => {
  it('lets a month go once it ended at least the retention before now', () => {
    // Six years before 15 December 2032 is 15 December 2026: November 2026 has ended by then.
    expect(purgeBefore(new Date('2032-12-15T10:00:00Z'), 72).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('counts calendar months across year ends and month lengths', () => {
    // 31 March minus one month is still February's end, not 3 March: February is not over by then.
    expect(purgeBefore(new Date('2026-03-31T23:59:59Z'), 1).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(purgeBefore(new Date('2026-01-01T00:00:00Z'), 13).toISOString()).toBe('2024-12-01T00:00:00.000Z');
    expect(purgeBefore(new Date('2130-06-10T00:00:00Z'), 1200).toISOString()).toBe('2030-06-01T00:00:00.000Z');
  });

  it('keeps the month that ends just after the cut-off', () => {
    const before = purgeBefore(new Date('2032-12-01T00:00:00Z'), 72);
    expect(monthBounds('2026-11').end.getTime()).toBeLessThanOrEqual(before.getTime());
    expect(monthBounds('2026-12').end.getTime()).toBeGreaterThan(before.getTime());
  });
});

describe('monthBounds', () => {
  it('spans a UTC calendar month', () => {
    expect(monthBounds('2024-02')).toEqual({
      start: new Date('2024-02-01T00:00:00Z'),
      end: new Date('2024-03-01T00:00:00Z'),
    });
    expect(monthBounds('2025-12').end).toEqual(new Date('2026-01-01T00:00:00Z'));
  });
});
